#!/usr/bin/python3
"""make-wxr.py: writes a synthetic WordPress export (WXR 1.2) of N posts to
standard output, to measure gazette's WXR reader on large files.

    scripts/make-wxr.py N [SEED] > big.xml

The same N and SEED give the same bytes.  The export looks like the one
WordPress's Tools > Export writes for a busy blog: 6 authors, categories
and tags, and per post (bodies of 2-6 KB, classic ones with blank-line
paragraphs, [caption] and [gallery], or Gutenberg blocks) a featured image
for one post in three (its attachment item after the post, as WordPress
numbers them), 0-3 comments, post meta, and a sprinkling of drafts,
private posts, pages, revisions and menu items.  Standard library only.
"""

import random
import sys
from datetime import datetime, timedelta, timezone

WORDS = (
    "the of and to in a is that for it as was with be by on not he this are or his from at "
    "which but have an they you were her she there been one all we their has would when if "
    "so no will more about up out who them some could what into time only new other than "
    "then two may first any like now my such make over our even most after also made many "
    "before must through back years where much your way well down should because each just "
    "those people how too little state good very world still own see men work long get here "
    "between both life being under never day same another know while last might great old "
    "year off come since against go came right used take three city river market council "
    "report train harbour garden coffee morning winter summer village bridge museum road"
).split()

AUTHORS = [
    ("admin", "Ada Lovelace"), ("jdoe", "Jane Doe"), ("mkt", "Kurt M\u00fcller"),
    ("sato", "\u4f50\u85e4 \u82b1\u5b50"), ("lucia", "Luc\u00eda Fern\u00e1ndez"),
    ("ed", "Ed O&#8217;Brien"),
]
CATEGORIES = ["News", "Travel", "Food &amp; Drink", "Culture", "Sport", "Science",
              "Opinion", "Local", "Business", "Tech", "Health", "Uncategorized"]
TAGS = ["%s %s" % (a, b) for a in ("city", "night", "green", "old", "quick", "long")
        for b in ("walks", "notes", "maps", "food", "trains", "ideas", "photos")]


def slugify(s):
    out = []
    for ch in s.lower():
        out.append(ch if ch.isalnum() and ch.isascii() else "-")
    return "-".join(p for p in "".join(out).split("-") if p)


def cdata(s):
    return "<![CDATA[" + s.replace("]]>", "]]]]><![CDATA[>") + "]]>"


class Gen:
    def __init__(self, n, seed):
        self.n = n
        self.r = random.Random(seed)
        self.out = sys.stdout
        self.start = datetime(2010, 1, 1, tzinfo=timezone.utc)

    def w(self, s):
        self.out.write(s)

    def sentence(self, lo=6, hi=18):
        words = [self.r.choice(WORDS) for _ in range(self.r.randint(lo, hi))]
        if self.r.random() < 0.15:
            words[self.r.randrange(len(words))] = "<em>%s</em>" % self.r.choice(WORDS)
        if self.r.random() < 0.1:
            words[self.r.randrange(len(words))] = '<a href="https://example.com/%s/">%s</a>' % (
                self.r.choice(WORDS), self.r.choice(WORDS))
        s = " ".join(words)
        return s[0].upper() + s[1:] + self.r.choice([".", ".", ".", "?", "!"])

    def paragraph(self):
        lines = [" ".join(self.sentence() for _ in range(self.r.randint(2, 5)))]
        if self.r.random() < 0.2:  # a line break inside a paragraph
            lines.append(self.sentence())
        return "\n".join(lines)

    def image(self, pid):
        return ('<img class="size-large wp-image-%d" src="https://example.com/wp-content/uploads/'
                '%d/%02d/photo-%d-1024x683.jpg" alt="%s" width="1024" height="683" />'
                % (pid, 2010 + pid % 14, 1 + pid % 12, pid, self.r.choice(WORDS)))

    def classic_body(self, pid, size):
        parts = []
        while sum(len(p) for p in parts) < size:
            x = self.r.random()
            if x < 0.08:
                parts.append('[caption id="attachment_%d" align="align%s" width="1024"]%s %s'
                             '[/caption]' % (pid, self.r.choice(["left", "right", "center"]),
                                             self.image(pid), self.sentence(3, 8)))
            elif x < 0.14:
                items = "\n".join("\t<li>%s</li>" % self.sentence(3, 8)
                                  for _ in range(self.r.randint(2, 5)))
                parts.append("<ul>\n%s\n</ul>" % items)
            elif x < 0.18:
                parts.append("<h2>%s</h2>" % self.sentence(2, 6)[:-1])
            elif x < 0.20:
                parts.append('[gallery ids="%d,%d,%d" columns="3"]' % (pid, pid + 2, pid + 4))
            elif x < 0.22:
                parts.append("<blockquote>%s</blockquote>" % self.sentence())
            elif x < 0.23:
                parts.append("https://www.youtube.com/watch?v=%08x" % self.r.getrandbits(32))
            else:
                parts.append(self.paragraph())
        return "\n\n".join(parts)

    def block_body(self, pid, size):
        parts = []
        while sum(len(p) for p in parts) < size:
            x = self.r.random()
            if x < 0.1:
                parts.append('<!-- wp:image {"id":%d,"sizeSlug":"large"} -->\n<figure class="wp-block'
                             '-image size-large">%s<figcaption>%s</figcaption></figure>\n'
                             '<!-- /wp:image -->' % (pid, self.image(pid), self.sentence(3, 8)))
            elif x < 0.16:
                parts.append('<!-- wp:heading -->\n<h2>%s</h2>\n<!-- /wp:heading -->'
                             % self.sentence(2, 6)[:-1])
            elif x < 0.2:
                items = "".join("<li>%s</li>" % self.sentence(3, 8)
                                for _ in range(self.r.randint(2, 5)))
                parts.append("<!-- wp:list -->\n<ul>%s</ul>\n<!-- /wp:list -->" % items)
            else:
                parts.append("<!-- wp:paragraph -->\n<p>%s</p>\n<!-- /wp:paragraph -->"
                             % " ".join(self.sentence() for _ in range(self.r.randint(2, 5))))
        return "\n\n".join(parts)

    def mysql(self, t):
        return t.strftime("%Y-%m-%d %H:%M:%S")

    def local(self, t):
        # The site's zone: UTC+1, UTC+2 from April to September.
        return t + timedelta(hours=2 if 4 <= t.month <= 9 else 1)

    def item(self, pid, title, ptype, status, when, body, login, name, parent=0, order=0,
             terms=(), meta=(), comments=0, sticky=0, url=None):
        gmt = self.mysql(when) if status not in ("draft", "pending") else "0000-00-00 00:00:00"
        link = ("https://example.com/%d/%02d/%s/" % (when.year, when.month, name)
                if status == "publish" and ptype == "post" else
                "https://example.com/%s/" % name if ptype == "page" and status == "publish"
                else "https://example.com/?p=%d" % pid)
        w = self.w
        w("\t<item>\n")
        w("\t\t<title>%s</title>\n" % cdata(title))
        w("\t\t<link>%s</link>\n" % link)
        w("\t\t<pubDate>%s</pubDate>\n" % when.strftime("%a, %d %b %Y %H:%M:%S +0000"))
        w("\t\t<dc:creator>%s</dc:creator>\n" % cdata(login))
        w('\t\t<guid isPermaLink="false">https://example.com/?p=%d</guid>\n' % pid)
        w("\t\t<description></description>\n")
        w("\t\t<content:encoded>%s</content:encoded>\n" % cdata(body))
        excerpt = self.sentence() if self.r.random() < 0.3 else ""
        w("\t\t<excerpt:encoded>%s</excerpt:encoded>\n" % cdata(excerpt))
        w("\t\t<wp:post_id>%d</wp:post_id>\n" % pid)
        w("\t\t<wp:post_date>%s</wp:post_date>\n" % cdata(self.mysql(self.local(when))))
        w("\t\t<wp:post_date_gmt>%s</wp:post_date_gmt>\n" % cdata(gmt))
        mod = when + timedelta(days=self.r.randint(0, 30))
        w("\t\t<wp:post_modified>%s</wp:post_modified>\n" % cdata(self.mysql(self.local(mod))))
        w("\t\t<wp:post_modified_gmt>%s</wp:post_modified_gmt>\n" % cdata(self.mysql(mod)))
        w("\t\t<wp:comment_status>%s</wp:comment_status>\n" % cdata("open"))
        w("\t\t<wp:ping_status>%s</wp:ping_status>\n" % cdata("open"))
        w("\t\t<wp:post_name>%s</wp:post_name>\n"
          % cdata(name if status not in ("draft",) else ""))
        w("\t\t<wp:status>%s</wp:status>\n" % cdata(status))
        w("\t\t<wp:post_parent>%d</wp:post_parent>\n" % parent)
        w("\t\t<wp:menu_order>%d</wp:menu_order>\n" % order)
        w("\t\t<wp:post_type>%s</wp:post_type>\n" % cdata(ptype))
        w("\t\t<wp:post_password>%s</wp:post_password>\n" % cdata(""))
        w("\t\t<wp:is_sticky>%d</wp:is_sticky>\n" % sticky)
        if url:
            w("\t\t<wp:attachment_url>%s</wp:attachment_url>\n" % cdata(url))
        for domain, term in terms:
            w('\t\t<category domain="%s" nicename="%s">%s</category>\n'
              % (domain, slugify(term.replace("&amp;", "")), cdata(term)))
        for k, v in meta:
            w("\t\t<wp:postmeta>\n\t\t<wp:meta_key>%s</wp:meta_key>\n"
              "\t\t<wp:meta_value>%s</wp:meta_value>\n\t\t</wp:postmeta>\n" % (cdata(k), cdata(v)))
        for c in range(comments):
            ct = when + timedelta(hours=c + 1)
            w("\t\t<wp:comment>\n")
            w("\t\t\t<wp:comment_id>%d</wp:comment_id>\n" % (pid * 4 + c))
            w("\t\t\t<wp:comment_author>%s</wp:comment_author>\n" % cdata("Reader %d" % c))
            w("\t\t\t<wp:comment_author_email>%s</wp:comment_author_email>\n"
              % cdata("reader%d@example.org" % c))
            w("\t\t\t<wp:comment_date>%s</wp:comment_date>\n" % cdata(self.mysql(self.local(ct))))
            w("\t\t\t<wp:comment_date_gmt>%s</wp:comment_date_gmt>\n" % cdata(self.mysql(ct)))
            w("\t\t\t<wp:comment_content>%s</wp:comment_content>\n" % cdata(self.sentence()))
            w("\t\t\t<wp:comment_approved>%s</wp:comment_approved>\n" % cdata("1"))
            w("\t\t\t<wp:comment_parent>0</wp:comment_parent>\n")
            w("\t\t</wp:comment>\n")
        w("\t</item>\n")

    def run(self):
        w = self.w
        w('<?xml version="1.0" encoding="UTF-8" ?>\n')
        w("<!-- This is a WordPress eXtended RSS file generated by WordPress as an export of "
          "your site. -->\n")
        w('<!-- generator="WordPress/6.4.3" created="2024-02-10 09:12" -->\n')
        w('<rss version="2.0"\n'
          '\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"\n'
          '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
          '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
          '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
          '\txmlns:wp="http://wordpress.org/export/1.2/"\n>\n\n<channel>\n')
        w("\t<title>The Synthetic Gazette</title>\n\t<link>https://example.com</link>\n")
        w("\t<description>%d posts, made by make-wxr.py</description>\n" % self.n)
        w("\t<language>en-GB</language>\n\t<wp:wxr_version>1.2</wp:wxr_version>\n")
        for i, (login, name) in enumerate(AUTHORS, 1):
            w("\t<wp:author><wp:author_id>%d</wp:author_id><wp:author_login>%s</wp:author_login>"
              "<wp:author_display_name>%s</wp:author_display_name></wp:author>\n"
              % (i, cdata(login), cdata(name)))
        for i, c in enumerate(CATEGORIES, 1):
            w("\t<wp:category><wp:term_id>%d</wp:term_id><wp:category_nicename>%s"
              "</wp:category_nicename><wp:cat_name>%s</wp:cat_name></wp:category>\n"
              % (i, cdata(slugify(c.replace("&amp;", ""))), cdata(c)))

        span = (datetime(2024, 1, 1, tzinfo=timezone.utc) - self.start).total_seconds()
        for i in range(1, self.n + 1):
            pid = 10 * i
            when = self.start + timedelta(seconds=int(span * (i - 1) / self.n)
                                          + self.r.randint(0, 3600))
            login, _ = self.r.choice(AUTHORS)
            title = self.sentence(3, 9)[:-1].replace("<em>", "").replace("</em>", "")
            if "<a " in title:
                title = self.r.choice(WORDS).title() + " &amp; " + self.r.choice(WORDS)
            name = slugify(title)[:60] + ("-%d" % i if self.r.random() < 0.1 else "")
            x = self.r.random()
            status = ("draft" if x < 0.06 else "pending" if x < 0.07 else
                      "private" if x < 0.08 else "future" if i > self.n - 3 else "publish")
            ptype = "page" if i % 97 == 0 else "post"
            size = self.r.randint(2000, 6000)
            body = (self.block_body(pid, size) if self.r.random() < 0.4
                    else self.classic_body(pid, size))
            terms = [("category", c) for c in self.r.sample(CATEGORIES, self.r.randint(1, 2))]
            terms += [("post_tag", t) for t in self.r.sample(TAGS, self.r.randint(0, 4))]
            meta = [("_edit_last", "1")]
            thumb = ptype == "post" and i % 3 == 0
            if thumb:
                meta.append(("_thumbnail_id", str(pid + 1)))
            if self.r.random() < 0.3:
                meta.append(("views", str(self.r.randint(1, 99999))))
            self.item(pid, title, ptype, status, when, body, login, name,
                      order=i % 7 if ptype == "page" else 0,
                      terms=terms if ptype == "post" else (), meta=meta,
                      comments=self.r.choice((0, 0, 0, 1, 2, 3)),
                      sticky=1 if i % 500 == 0 else 0)
            if thumb:
                self.item(pid + 1, "photo-%d" % pid, "attachment", "inherit", when, "", login,
                          "photo-%d" % pid, parent=pid,
                          meta=[("_wp_attached_file", "%d/%02d/photo-%d.jpg"
                                 % (when.year, when.month, pid))],
                          url="https://example.com/wp-content/uploads/%d/%02d/photo-%d.jpg"
                          % (when.year, when.month, pid))
            if i % 20 == 0:
                self.item(pid + 2, title, "revision", "inherit", when, body[:500], login,
                          "%d-revision-v1" % pid, parent=pid)
            if i % 200 == 0:
                self.item(pid + 3, "", "nav_menu_item", "publish", when, "", login, str(pid + 3),
                          order=i // 200, terms=[("nav_menu", "Main")],
                          meta=[("_menu_item_object_id", str(pid))])
        w("</channel>\n</rss>\n")


def main():
    if len(sys.argv) not in (2, 3) or not sys.argv[1].isdigit():
        sys.stderr.write("usage: make-wxr.py N [SEED] > export.xml\n")
        return 2
    Gen(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) == 3 else 1).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
