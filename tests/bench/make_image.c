/*
 * make-image FORMAT WIDTH HEIGHT SEED OUT: writes a photograph-like test
 * image (broad waves of colour, a shade from top to bottom, and grain as a
 * camera gives it) as FORMAT (png, jpg, webp, gif) to OUT.  Images of one colour compress
 * to nothing in every format; these weigh what photographs weigh (a 2000
 * x 1333 JPEG is several hundred kilobytes), so that the sizes of their
 * copies mean something.  SEED changes the waves and the grain.
 * For the HTTP and browser tests of responsive images and the images
 * benchmark (bench_images.c); libvips draws it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vips/vips.h>

/* One band: a + b * (the product of two sine waves over the image), as float. */
static VipsImage *wave(int w, int h, double hfreq, double vfreq, double a, double b)
{
	VipsImage *s = NULL, *out = NULL;
	if (vips_sines(&s, w, h, "hfreq", hfreq, "vfreq", vfreq, NULL) == 0)
		vips_linear1(s, &out, b, a, NULL);
	if (s)
		g_object_unref(s);
	return out;
}

/* The picture: three bands of waves and a vertical ramp, with Gaussian grain. */
static VipsImage *picture(int w, int h, int seed)
{
	VipsImage *ramp = NULL, *grain = NULL, *bands[3] = {NULL, NULL, NULL}, *rgb = NULL,
	          *sum = NULL, *out = NULL;
	double f = 0.5 + (seed % 7) * 0.25;
	if (vips_grey(&ramp, w, h, NULL) != 0 || vips_rot90(ramp, &sum, NULL) != 0)
		goto done;
	g_object_unref(ramp);
	ramp = NULL;
	if (vips_resize(sum, &ramp, (double)w / h, "vscale", (double)h / w, NULL) != 0)
		goto done;
	g_object_unref(sum);
	sum = NULL;
	bands[0] = wave(w, h, f, 1.0, 120, 60);
	bands[1] = wave(w, h, 2 * f, 0.5, 140, 50);
	bands[2] = wave(w, h, 0.7 * f, 2.0, 170, 70);
	if (!bands[0] || !bands[1] || !bands[2] || vips_bandjoin(bands, &rgb, 3, NULL) != 0)
		goto done;
	if (vips_gaussnoise(&grain, w, h, "mean", 0.0, "sigma", 5.0, "seed", seed, NULL) != 0)
		goto done;
	VipsImage *ramp_scaled = NULL;
	if (vips_linear1(ramp, &ramp_scaled, -0.25, 30.0, NULL) != 0)
		goto done;
	VipsImage *shaded = NULL, *noisy = NULL;
	int rc = vips_add(rgb, ramp_scaled, &shaded, NULL);
	g_object_unref(ramp_scaled);
	if (rc == 0)
		rc = vips_add(shaded, grain, &noisy, NULL);
	if (shaded)
		g_object_unref(shaded);
	if (rc == 0)
		vips_cast_uchar(noisy, &out, NULL);
	if (noisy)
		g_object_unref(noisy);
done:
	for (int i = 0; i < 3; i++)
		if (bands[i])
			g_object_unref(bands[i]);
	if (ramp)
		g_object_unref(ramp);
	if (sum)
		g_object_unref(sum);
	if (rgb)
		g_object_unref(rgb);
	if (grain)
		g_object_unref(grain);
	return out;
}

int main(int argc, char **argv)
{
	if (VIPS_INIT(argv[0]) != 0 || argc != 6) {
		fprintf(stderr, "usage: make-image png|jpg|webp|gif WIDTH HEIGHT SEED OUT\n");
		return 2;
	}
	int w = atoi(argv[2]), h = atoi(argv[3]), seed = atoi(argv[4]);
	if (w < 1 || h < 1 || w > 20000 || h > 20000) {
		fprintf(stderr, "make-image: a width and height from 1 to 20000\n");
		return 2;
	}
	VipsImage *im = picture(w, h, seed);
	int rc = -1;
	if (im && strcmp(argv[1], "png") == 0)
		rc = vips_pngsave(im, argv[5], "compression", 6, NULL);
	else if (im && strcmp(argv[1], "jpg") == 0)
		rc = vips_jpegsave(im, argv[5], "Q", 90, NULL);
	else if (im && strcmp(argv[1], "webp") == 0)
		rc = vips_webpsave(im, argv[5], "Q", 90, NULL);
	else if (im && strcmp(argv[1], "gif") == 0)
		rc = vips_gifsave(im, argv[5], NULL);
	if (rc != 0)
		fprintf(stderr, "make-image: %s", vips_error_buffer());
	if (im)
		g_object_unref(im);
	vips_shutdown();
	return rc == 0 ? 0 : 1;
}
