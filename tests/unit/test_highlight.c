/*
 * Unit tests for highlight.c: per language a snippet shaped like what blog
 * posts show, and the exact HTML of its interesting parts; whole outputs
 * for the edge cases.  Every output is also checked for the writer's
 * promises: without the tags it is the input escaped once, every span is
 * closed, and no token span holds a line break.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "gazette/base/escape.h"
#include "gazette/base/util.h"
#include "gazette/content/highlight.h"

#define FRAGS_MAX 6

struct hl_case {
	const char *lang;
	const char *in;
	const char *frags[FRAGS_MAX]; /* each must appear in the output */
};

struct whole_case {
	const char *lang; /* NULL: no language */
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *want;
};

/*
 * Checks the writer's promises on html, made from in[0..len) without line
 * options: removing the span tags leaves escape_html(in); every <span> is
 * closed; no '\n' or '\r' inside a span.
 */
static void check_invariants(const char *in, size_t len, const char *html, size_t hlen)
{
	struct buf want = BUF_INIT, got = BUF_INIT;
	int depth = 0;

	escape_html(&want, in, len);
	for (size_t i = 0; i < hlen;) {
		if (html[i] == '<') {
			const char *gt = memchr(html + i, '>', hlen - i);
			assert_non_null(gt);
			size_t n = (size_t)(gt - html) + 1 - i;
			if (n == 7 && memcmp(html + i, "</span>", 7) == 0) {
				depth--;
				assert_true(depth >= 0);
			} else {
				assert_true(n > 15 && memcmp(html + i, "<span class=\"", 13) == 0);
				assert_int_equal(depth, 0); /* token spans do not nest */
				depth++;
			}
			i += n;
			continue;
		}
		if (html[i] == '\n' || html[i] == '\r')
			assert_int_equal(depth, 0);
		buf_putc(&got, html[i++]);
	}
	assert_int_equal(depth, 0);
	assert_int_equal(got.len, want.len);
	if (want.len > 0)
		assert_memory_equal(got.data, want.data, want.len);
	buf_free(&want);
	buf_free(&got);
}

static char *render(const char *lang, const char *in, size_t len, size_t *out_len)
{
	struct buf b = BUF_INIT;
	const struct hl_lang *L = lang ? hl_lang_find(lang, strlen(lang)) : NULL;
	if (lang)
		assert_non_null(L);
	hl_render(&b, L, in, len, NULL);
	check_invariants(in, len, b.data ? b.data : "", b.len);
	return buf_detach(&b, out_len);
}

static void run_frags(const struct hl_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len;
		char *html = render(c[i].lang, c[i].in, strlen(c[i].in), &len);
		for (size_t k = 0; k < FRAGS_MAX && c[i].frags[k]; k++) {
			if (!strstr(html, c[i].frags[k]))
				print_error("%s case %zu: missing\n%s\nin\n%s\n", c[i].lang, i,
				            c[i].frags[k], html);
			assert_non_null(strstr(html, c[i].frags[k]));
		}
		free(html);
	}
}

static void run_whole(const struct whole_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len;
		char *html =
		    render(c[i].lang, c[i].in, c[i].len ? c[i].len : strlen(c[i].in), &len);
		if (strcmp(html, c[i].want) != 0)
			print_error("case %zu (%s): got\n%s\n", i, c[i].lang ? c[i].lang : "-",
			            html);
		assert_string_equal(html, c[i].want);
		free(html);
	}
}

/* The C-like languages. */
static const struct hl_case code_cases[] = {
    {"rust",
     "/* outer /* nested */ still */\n"
     "#[derive(Debug)]\n"
     "struct Wrapper<'a> { s: &'a str }\n"
     "fn longest<'a>(x: &'a str, y: &'a str) -> &'a str {\n"
     "    println!(\"{}\\n\", r#\"raw \"q\"\"#);\n"
     "    if x.len() > y.len() { Some(x) } else { None }\n"
     "}\n",
     {"<span class=\"c\">/* outer /* nested */ still */</span>",
      "<span class=\"nd\">#[derive(Debug)]</span>",
      "<span class=\"k\">struct</span> <span class=\"kt\">Wrapper</span><span "
      "class=\"o\">&lt;</span>"
      "<span class=\"nd\">&#39;a</span><span class=\"o\">&gt;</span>",
      "<span class=\"k\">fn</span> <span class=\"nf\">longest</span>",
      "<span class=\"nf\">println!</span>(<span class=\"s\">&quot;{}</span><span "
      "class=\"se\">\\n</span><span class=\"s\">&quot;</span>, <span class=\"s\">r#&quot;raw "
      "&quot;q&quot;&quot;#</span>)",
      "<span class=\"nb\">Some</span>(x)"}},
    {"c",
     "#include <stdio.h>\n"
     "/* A block\n"
     "   comment */\n"
     "int main(void)\n"
     "{\n"
     "\tprintf(\"hi\\n\"); // greet\n"
     "\treturn 0;\n"
     "}\n",
     {"<span class=\"cp\">#include</span> <span class=\"s\">&lt;stdio.h&gt;</span>\n",
      "<span class=\"c\">/* A block</span>\n<span class=\"c\">   comment */</span>\n",
      "<span class=\"kt\">int</span> main(<span class=\"kt\">void</span>)",
      "<span class=\"c\">// greet</span>",
      "\t<span class=\"k\">return</span> <span class=\"m\">0</span>;"}},
    {"c++",
     "template <typename T>\n"
     "class Box : public Base {\n"
     "  std::unique_ptr<T> p = nullptr;\n"
     "  const char *s = R\"(raw \\n)\";\n"
     "};\n",
     {"<span class=\"k\">template</span> <span class=\"o\">&lt;</span><span "
      "class=\"k\">typename</span> T<span class=\"o\">&gt;</span>",
      "<span class=\"k\">class</span> <span class=\"kt\">Box</span>",
      "<span class=\"nb\">std</span><span class=\"o\">::</span><span "
      "class=\"kt\">unique_ptr</span>",
      "<span class=\"kc\">nullptr</span>", "<span class=\"s\">R&quot;(raw \\n)&quot;</span>"}},
    {"golang",
     "package main\n"
     "\n"
     "import \"fmt\"\n"
     "\n"
     "func (p *Point) Len() float64 { return 0 }\n"
     "func main() {\n"
     "\ts := `raw\n"
     "string`\n"
     "\tfmt.Println(len(s), 'x', nil, 1_000)\n"
     "}\n",
     {"<span class=\"k\">package</span> main",
      "<span class=\"k\">func</span> (p <span class=\"o\">*</span>Point) Len() <span "
      "class=\"kt\">float64</span>",
      "<span class=\"k\">func</span> <span class=\"nf\">main</span>()",
      "<span class=\"s\">`raw</span>\n<span class=\"s\">string`</span>",
      "<span class=\"nb\">len</span>(s), <span class=\"s\">&#39;x&#39;</span>, <span "
      "class=\"kc\">nil</span>, <span class=\"m\">1_000</span>"}},
    {"py",
     "@dataclass(frozen=True)\n"
     "class Point:\n"
     "    \"\"\"A point.\n"
     "\n"
     "    Immutable.\"\"\"\n"
     "    x: int = 0\n"
     "\n"
     "    def label(self) -> str:\n"
     "        return f\"({self.x!r}, {{y}})\"  # repr\n",
     {"<span class=\"nd\">@dataclass</span>(frozen<span class=\"o\">=</span><span "
      "class=\"kc\">True</span>)",
      "<span class=\"k\">class</span> <span class=\"kt\">Point</span><span class=\"o\">:</span>",
      "<span class=\"s\">&quot;&quot;&quot;A point.</span>\n\n<span class=\"s\">    "
      "Immutable.&quot;&quot;&quot;</span>",
      "<span class=\"k\">def</span> <span class=\"nf\">label</span>(<span "
      "class=\"nb\">self</span>)",
      "<span class=\"s\">f&quot;(</span><span class=\"si\">{</span><span "
      "class=\"nb\">self</span>.x<span class=\"o\">!</span>r<span class=\"si\">}</span><span "
      "class=\"s\">, </span><span class=\"se\">{{</span><span class=\"s\">y</span><span "
      "class=\"se\">}}</span><span class=\"s\">)&quot;</span>  <span class=\"c\"># repr</span>"}},
    {"JavaScript",
     "import { x } from \"./x.js\";\n"
     "const re = /ab+c\\/[/]/gi, half = total / 2 / count;\n"
     "async function load(id) {\n"
     "  const res = await fetch(`/api/${id + 1}?q=1`);\n"
     "  return res.ok ? null : undefined;\n"
     "}\n",
     {"<span class=\"s\">/ab+c\\/[/]/gi</span>",
      "half <span class=\"o\">=</span> total <span class=\"o\">/</span> <span class=\"m\">2</span> "
      "<span class=\"o\">/</span> count",
      "<span class=\"k\">async</span> <span class=\"k\">function</span> <span "
      "class=\"nf\">load</span>(id)",
      "<span class=\"s\">`/api/</span><span class=\"si\">${</span>id <span class=\"o\">+</span> "
      "<span class=\"m\">1</span><span class=\"si\">}</span><span class=\"s\">?q=1`</span>",
      "<span class=\"kc\">null</span> <span class=\"o\">:</span> <span "
      "class=\"kc\">undefined</span>"}},
    {"tsx",
     "interface User { name: string; age?: number }\n"
     "export type Id = string | number;\n"
     "@Component({ selector: \"app\" })\n"
     "class App implements OnInit {}\n",
     {"<span class=\"k\">interface</span> <span class=\"kt\">User</span> { name<span "
      "class=\"o\">:</span> <span class=\"kt\">string</span>;",
      "<span class=\"k\">type</span> <span class=\"kt\">Id</span>",
      "<span class=\"nd\">@Component</span>",
      "<span class=\"k\">implements</span> <span class=\"kt\">OnInit</span>"}},
    {"java",
     "@Override\n"
     "public static void main(String[] args) {\n"
     "    String s = \"\"\"\n"
     "        text block\"\"\";\n"
     "    char c = '\\t';\n"
     "    System.out.println(s + 42L);\n"
     "}\n",
     {"<span class=\"nd\">@Override</span>",
      "<span class=\"k\">public</span> <span class=\"k\">static</span> <span "
      "class=\"kt\">void</span> main(<span class=\"kt\">String</span>[] args)",
      "<span class=\"s\">&quot;&quot;&quot;</span>\n<span class=\"s\">        text "
      "block&quot;&quot;&quot;</span>",
      "<span class=\"s\">&#39;</span><span class=\"se\">\\t</span><span class=\"s\">&#39;</span>",
      "<span class=\"m\">42L</span>"}},
    {"kt",
     "/* outer /* inner */ still comment */\n"
     "@Serializable\n"
     "data class User(val name: String, val age: Int = 0)\n"
     "fun greet(u: User): String = \"Hi ${u.name}, $name!\\n\" + \"\"\"raw\\n\"\"\"\n",
     {"<span class=\"c\">/* outer /* inner */ still comment */</span>",
      "<span class=\"nd\">@Serializable</span>",
      "<span class=\"k\">data</span> <span class=\"k\">class</span> <span "
      "class=\"kt\">User</span>",
      "<span class=\"k\">fun</span> <span class=\"nf\">greet</span>",
      "<span class=\"s\">&quot;Hi </span><span class=\"si\">${</span>u.name<span "
      "class=\"si\">}</span><span class=\"s\">, </span><span class=\"si\">$name</span><span "
      "class=\"s\">!</span><span class=\"se\">\\n</span><span class=\"s\">&quot;</span>",
      "<span class=\"s\">&quot;&quot;&quot;raw\\n&quot;&quot;&quot;</span>"}},
    {"swift",
     "/* a /* b */ c */\n"
     "@MainActor\n"
     "struct Greeting: View {\n"
     "    func greet(_ name: String) -> String { return \"Hi \\(name.uppercased())!\" }\n"
     "    let raw = #\"no \\(interp) here\"#\n"
     "    #if DEBUG\n"
     "}\n",
     {"<span class=\"c\">/* a /* b */ c */</span>", "<span class=\"nd\">@MainActor</span>",
      "<span class=\"k\">struct</span> <span class=\"kt\">Greeting</span><span "
      "class=\"o\">:</span> <span class=\"kt\">View</span>",
      "<span class=\"s\">&quot;Hi </span><span class=\"si\">\\(</span>name.uppercased()<span "
      "class=\"si\">)</span><span class=\"s\">!&quot;</span>",
      "<span class=\"s\">#&quot;no \\(interp) here&quot;#</span>",
      "<span class=\"cp\">#if</span> DEBUG"}},
    {"rb",
     "# frozen_string_literal: true\n"
     "class Greeter < Base\n"
     "  attr_reader :name\n"
     "  def to_s = \"Hi #{@name}!\"\n"
     "end\n"
     "text = <<~EOS\n"
     "  Dear #{name},\n"
     "EOS\n"
     "=begin\n"
     "doc\n"
     "=end\n",
     {"<span class=\"c\"># frozen_string_literal: true</span>",
      "<span class=\"k\">class</span> <span class=\"kt\">Greeter</span> <span "
      "class=\"o\">&lt;</span> <span class=\"kt\">Base</span>",
      "<span class=\"nb\">attr_reader</span> <span class=\"s\">:name</span>",
      "<span class=\"s\">&quot;Hi </span><span class=\"si\">#{</span><span "
      "class=\"nv\">@name</span><span class=\"si\">}</span><span class=\"s\">!&quot;</span>",
      "<span class=\"s\">&lt;&lt;~EOS</span>\n<span class=\"s\">  Dear </span><span "
      "class=\"si\">#{</span>name<span class=\"si\">}</span><span class=\"s\">,</span>\n<span "
      "class=\"s\">EOS</span>",
      "<span class=\"c\">=begin</span>\n<span class=\"c\">doc</span>\n<span "
      "class=\"c\">=end</span>"}},
    {"php",
     "<?php\n"
     "#[Route('/x')]\n"
     "function greet(string $name): string {\n"
     "    # a comment\n"
     "    return \"Hello {$user->name} and $name\\n\" . 'single';\n"
     "}\n",
     {"<span class=\"cp\">&lt;?php</span>", "<span class=\"nd\">#[Route(&#39;/x&#39;)]</span>",
      "<span class=\"k\">function</span> <span class=\"nf\">greet</span>(<span "
      "class=\"kt\">string</span> <span class=\"nv\">$name</span>)",
      "<span class=\"c\"># a comment</span>",
      "<span class=\"s\">&quot;Hello </span><span class=\"si\">{</span><span "
      "class=\"nv\">$user</span><span class=\"o\">-&gt;</span>name<span class=\"si\">}</span><span "
      "class=\"s\"> and </span><span class=\"nv\">$name</span><span class=\"se\">\\n</span>"}},
    {"ps1",
     "<# block\n"
     "comment #>\n"
     "function Get-Thing([string]$Path) {\n"
     "    $items = Get-ChildItem -Path $Path | Where-Object { $_.Length -gt 1kb }\n"
     "    Write-Host \"Found $($items.Count) in $env:TEMP`n\"\n"
     "    if ($null -eq $items) { return $false }\n"
     "}\n",
     {"<span class=\"c\">&lt;# block</span>\n<span class=\"c\">comment #&gt;</span>",
      "<span class=\"k\">function</span> <span class=\"nf\">Get-Thing</span>([<span "
      "class=\"kt\">string</span>]<span class=\"nv\">$Path</span>)",
      "<span class=\"nb\">Get-ChildItem</span> <span class=\"na\">-Path</span>",
      "<span class=\"o\">-gt</span> <span class=\"m\">1kb</span>",
      "<span class=\"s\">&quot;Found </span><span class=\"si\">$(</span><span "
      "class=\"nv\">$items</span>.Count<span class=\"si\">)</span><span class=\"s\"> in "
      "</span><span class=\"nv\">$env:TEMP</span><span class=\"se\">`n</span>",
      "<span class=\"kc\">$null</span> <span class=\"o\">-eq</span>"}},
    {"sql",
     "-- users\n"
     "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'it''s');\n"
     "select u.name, count(*) from \"users\" u where u.id > 10 /* x */ group by 1;\n",
     {"<span class=\"c\">-- users</span>",
      "<span class=\"k\">CREATE</span> <span class=\"k\">TABLE</span> users (id <span "
      "class=\"kt\">INTEGER</span>",
      "<span class=\"s\">&#39;it</span><span class=\"se\">&#39;&#39;</span><span "
      "class=\"s\">s&#39;</span>",
      "<span class=\"nb\">count</span>(<span class=\"o\">*</span>) <span class=\"k\">from</span> "
      "&quot;users&quot; u",
      "<span class=\"c\">/* x */</span>"}},
};

/* Shells, markup, data and line-shaped formats. */
static const struct hl_case other_cases[] = {
    {"bash",
     "#!/bin/bash\n"
     "set -euo pipefail\n"
     "NAME=\"world $HOME\"\n"
     "greet() { echo \"hi ${NAME:-x} $(date +%s)\"; }\n"
     "for f in *.txt; do cat \"$f\" > /dev/null 2>&1; done # loop\n"
     "cat <<EOF > out.txt\n"
     "Hello $NAME\n"
     "EOF\n"
     "echo 'done'\n",
     {"<span class=\"c\">#!/bin/bash</span>", "<span class=\"nb\">set</span> -euo pipefail",
      "<span class=\"nv\">NAME</span><span class=\"o\">=</span><span class=\"s\">&quot;world "
      "</span><span class=\"nv\">$HOME</span><span class=\"s\">&quot;</span>",
      "<span class=\"nf\">greet</span><span class=\"o\">()</span> { <span "
      "class=\"nb\">echo</span> <span class=\"s\">&quot;hi </span><span "
      "class=\"nv\">${NAME:-x}</span><span class=\"s\"> </span><span class=\"si\">$(</span>date "
      "+%s<span class=\"si\">)</span><span class=\"s\">&quot;</span>",
      "<span class=\"k\">for</span> f <span class=\"k\">in</span> *.txt<span "
      "class=\"o\">;</span> <span class=\"k\">do</span>",
      "<span class=\"s\">&lt;&lt;EOF</span> <span class=\"o\">&gt;</span> out.txt\n<span "
      "class=\"s\">Hello </span><span class=\"nv\">$NAME</span>\n<span class=\"s\">EOF</span>\n"
      "<span class=\"nb\">echo</span> <span class=\"s\">&#39;done&#39;</span>"}},
    {"console",
     "$ ls -la ~/src\n"
     "total 8\n"
     "user@host:~/src$ echo \"$HOME\" | wc -c \\\n"
     "> && true\n"
     "6\n"
     "[root@box tmp]# apt install gazette\n"
     "(venv) $ pip install -r requirements.txt\n"
     "PS C:\\Users\\me> Get-ChildItem -Force\n",
     {"<span class=\"gp\">$ </span>ls -la ~/src\n<span class=\"go\">total 8</span>\n",
      "<span class=\"gp\">user@host:~/src$ </span><span class=\"nb\">echo</span> <span "
      "class=\"s\">&quot;</span><span class=\"nv\">$HOME</span><span class=\"s\">&quot;</span>",
      "<span class=\"gp\">&gt; </span><span class=\"o\">&amp;&amp;</span> <span "
      "class=\"nb\">true</span>\n<span class=\"go\">6</span>",
      "<span class=\"gp\">[root@box tmp]# </span>apt install gazette",
      "<span class=\"gp\">(venv) $ </span>pip install",
      "<span class=\"gp\">PS C:\\Users\\me&gt; </span><span class=\"nb\">Get-ChildItem</span> "
      "<span "
      "class=\"na\">-Force</span>"}},
    {"html",
     "<!DOCTYPE html>\n"
     "<!-- a comment -->\n"
     "<p class=\"note\" hidden data-x=1>Fish &amp; chips</p>\n"
     "<script>const a = \"</p>\";</script>\n"
     "<style>p { color: #333; }</style>\n",
     {"<span class=\"cp\">&lt;!DOCTYPE html&gt;</span>",
      "<span class=\"c\">&lt;!-- a comment --&gt;</span>",
      "<span class=\"nt\">&lt;p</span> <span class=\"na\">class</span><span "
      "class=\"o\">=</span><span class=\"s\">&quot;note&quot;</span> <span "
      "class=\"na\">hidden</span> <span class=\"na\">data-x</span><span class=\"o\">=</span><span "
      "class=\"s\">1</span><span class=\"nt\">&gt;</span>Fish <span "
      "class=\"se\">&amp;amp;</span> chips<span class=\"nt\">&lt;/p&gt;</span>",
      "<span class=\"nt\">&lt;script&gt;</span><span class=\"k\">const</span> a <span "
      "class=\"o\">=</span> <span class=\"s\">&quot;&lt;/p&gt;&quot;</span>;<span "
      "class=\"nt\">&lt;/script&gt;</span>",
      "<span class=\"na\">color</span>: <span class=\"m\">#333</span>;"}},
    {"svg",
     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
     "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">\n"
     "  <![CDATA[ a < b ]]>\n"
     "  <rect x=\"1\"/>\n"
     "</svg>\n",
     {"<span class=\"cp\">&lt;?xml version=&quot;1.0&quot; encoding=&quot;UTF-8&quot;?&gt;</span>",
      "<span class=\"nt\">&lt;svg</span> <span class=\"na\">xmlns</span>",
      "<span class=\"cp\">&lt;![CDATA[</span> a &lt; b <span class=\"cp\">]]&gt;</span>",
      "<span class=\"nt\">&lt;rect</span> <span class=\"na\">x</span><span "
      "class=\"o\">=</span><span class=\"s\">&quot;1&quot;</span><span "
      "class=\"nt\">/&gt;</span>",
      "<span class=\"nt\">&lt;/svg&gt;</span>"}},
    {"css",
     "/* theme */\n"
     "@media (prefers-color-scheme: dark) {\n"
     "  :root { --bg: #16161a; }\n"
     "  a:hover, .nav > li { color: rgb(255 0 0 / 50%) !important; margin: 0 1.5rem; }\n"
     "}\n",
     {"<span class=\"c\">/* theme */</span>",
      "<span class=\"k\">@media</span> (prefers-color-scheme: dark) {",
      "<span class=\"nt\">:root</span> { <span class=\"na\">--bg</span>: <span "
      "class=\"m\">#16161a</span>; }",
      "<span class=\"nt\">a:hover</span>, <span class=\"nt\">.nav</span> &gt; <span "
      "class=\"nt\">li</span>",
      "<span class=\"nb\">rgb</span>(<span class=\"m\">255</span> <span class=\"m\">0</span> "
      "<span class=\"m\">0</span> / <span class=\"m\">50%</span>) <span "
      "class=\"k\">!important</span>",
      "<span class=\"m\">1.5rem</span>"}},
    {"jsonc",
     "{\"name\": \"gazette\", \"n\": -1.5e3, \"ok\": true, \"x\": null,\n"
     " // comment\n"
     " \"esc\": \"a\\\"b\\u00e9\"}\n",
     {"{<span class=\"na\">&quot;name&quot;</span>: <span class=\"s\">&quot;gazette&quot;</span>",
      "<span class=\"m\">-1.5e3</span>", "<span class=\"kc\">true</span>",
      "<span class=\"c\">// comment</span>",
      "<span class=\"s\">&quot;a</span><span class=\"se\">\\&quot;</span><span "
      "class=\"s\">b</span><span class=\"se\">\\u00e9</span><span class=\"s\">&quot;</span>"}},
    {"yml",
     "# CI config\n"
     "---\n"
     "defaults: &defaults\n"
     "  image: \"node:20\"   # pinned\n"
     "  retries: 3\n"
     "jobs:\n"
     "  - name: test\n"
     "    <<: *defaults\n"
     "    tags: !!set {a, b}\n"
     "    script: |\n"
     "      npm ci # not a comment\n"
     "      npm test\n"
     "    enabled: yes\n",
     {"<span class=\"c\"># CI config</span>\n<span class=\"cp\">---</span>\n",
      "<span class=\"na\">defaults</span>: <span class=\"nv\">&amp;defaults</span>",
      "<span class=\"na\">image</span>: <span class=\"s\">&quot;node:20&quot;</span>   <span "
      "class=\"c\"># pinned</span>",
      "<span class=\"o\">-</span> <span class=\"na\">name</span>: test",
      "<span class=\"na\">&lt;&lt;</span>: <span class=\"nv\">*defaults</span>\n    <span "
      "class=\"na\">tags</span>: <span class=\"kt\">!!set</span> {a, b}",
      "<span class=\"o\">|</span>\n      <span class=\"s\">npm ci # not a comment</span>\n      "
      "<span class=\"s\">npm test</span>\n    <span class=\"na\">enabled</span>: <span "
      "class=\"kc\">yes</span>"}},
    {"toml",
     "# Cargo\n"
     "[package]\n"
     "name = \"gazette\"   # the name\n"
     "authors = [\"A <a@x.org>\",\n"
     "  'B']\n"
     "date = 1979-05-27T07:32:00Z\n"
     "[[bin]]\n"
     "inline = { a = 1, b = \"\"\"multi\n"
     "line\"\"\" }\n",
     {"<span class=\"nt\">[package]</span>",
      "<span class=\"na\">name</span> <span class=\"o\">=</span> <span "
      "class=\"s\">&quot;gazette&quot;</span>   <span class=\"c\"># the name</span>",
      "<span class=\"s\">&#39;B&#39;</span>]", "<span class=\"m\">1979-05-27T07:32:00Z</span>",
      "<span class=\"nt\">[[bin]]</span>",
      "{ <span class=\"na\">a</span> <span class=\"o\">=</span> <span class=\"m\">1</span>, <span "
      "class=\"na\">b</span> <span class=\"o\">=</span> <span "
      "class=\"s\">&quot;&quot;&quot;multi</span>\n<span class=\"s\">line&quot;&quot;&quot;</span> "
      "}"}},
    {"Dockerfile",
     "# syntax=docker/dockerfile:1\n"
     "FROM golang:1.22 AS build\n"
     "ENV CGO_ENABLED=0 PATH=\"/go/bin:$PATH\"\n"
     "COPY --from=build /src/app /app\n"
     "RUN apt-get update && \\\n"
     "    rm -rf /var/lib/apt/lists/*  # clean\n"
     "CMD [\"/app\", \"--port\", \"8080\"]\n",
     {"<span class=\"cp\"># syntax=docker/dockerfile:1</span>",
      "<span class=\"k\">FROM</span> golang:1.22 <span class=\"k\">AS</span> build",
      "<span class=\"s\">&quot;/go/bin:</span><span class=\"nv\">$PATH</span><span "
      "class=\"s\">&quot;</span>",
      "<span class=\"k\">COPY</span> <span class=\"na\">--from</span>=build",
      "<span class=\"k\">RUN</span> apt-get update <span class=\"o\">&amp;&amp;</span> \\\n    rm "
      "-rf /var/lib/apt/lists/*  <span class=\"c\"># clean</span>",
      "<span class=\"k\">CMD</span> [<span class=\"s\">&quot;/app&quot;</span>, <span "
      "class=\"s\">&quot;--port&quot;</span>"}},
    {"patch",
     "diff --git a/src/x.c b/src/x.c\n"
     "index 83db48f..bf269f4 100644\n"
     "--- a/src/x.c\n"
     "+++ b/src/x.c\n"
     "@@ -1,4 +1,4 @@ int main(void)\n"
     " context\n"
     "-old line\n"
     "+new line\n"
     "--- not a header\n"
     "\\ No newline at end of file\n",
     {"<span class=\"gh\">diff --git a/src/x.c b/src/x.c</span>\n<span class=\"gh\">index "
      "83db48f..bf269f4 100644</span>\n<span class=\"gh\">--- a/src/x.c</span>\n<span "
      "class=\"gh\">+++ b/src/x.c</span>\n<span class=\"gu\">@@ -1,4 +1,4 @@ int "
      "main(void)</span>\n"
      " context\n<span class=\"gd\">-old line</span>\n<span class=\"gi\">+new line</span>\n"
      "<span class=\"gd\">--- not a header</span>\n"
      "<span class=\"c\">\\ No newline at end of file</span>\n"}},
    {"md",
     "# Title\n"
     "Some *em* and **strong** text with `code` and [a link](https://x.org).\n"
     "> quoted\n"
     "- item\n"
     "1. first\n"
     "```sh\n"
     "# not a heading\n"
     "```\n",
     {"<span class=\"gh\"># Title</span>",
      "Some <span class=\"ge\">*em*</span> and <span class=\"gs\">**strong**</span> text with "
      "<span class=\"s\">`code`</span> and [a link]<span class=\"na\">(https://x.org)</span>.",
      "<span class=\"o\">&gt;</span> quoted\n<span class=\"o\">-</span> item\n<span "
      "class=\"o\">1.</span> first",
      "<span class=\"s\">```sh</span>\n<span class=\"s\"># not a heading</span>\n<span "
      "class=\"s\">```</span>"}},
    {"make",
     "# build\n"
     "CC ?= cc\n"
     ".PHONY: all clean\n"
     "all: gazette $(OBJS)\n"
     "gazette: main.o\n"
     "\t@$(CC) $(CFLAGS) -o $@ $^ # link\n"
     "ifeq ($(DEBUG),1)\n"
     "endif\n",
     {"<span class=\"nv\">CC</span> <span class=\"o\">?=</span> cc",
      "<span class=\"nf\">.PHONY</span><span class=\"o\">:</span> all clean",
      "<span class=\"nf\">all</span><span class=\"o\">:</span> gazette <span "
      "class=\"nv\">$(OBJS)</span>",
      "\t<span class=\"o\">@</span><span class=\"nv\">$(CC)</span> <span "
      "class=\"nv\">$(CFLAGS)</span> -o <span class=\"nv\">$@</span> <span "
      "class=\"nv\">$^</span> <span class=\"c\"># link</span>",
      "<span class=\"k\">ifeq</span> (<span class=\"nv\">$(DEBUG)</span>,1)"}},
};

static void test_code_languages(void **state)
{
	run_frags(code_cases, GZ_ARRAY_LEN(code_cases));
}

static void test_other_languages(void **state)
{
	run_frags(other_cases, GZ_ARRAY_LEN(other_cases));
}

static void test_edges(void **state)
{
	static const struct whole_case cases[] = {
	    {"c", "", 0, ""},
	    {NULL, "<a href=\"x\">&</a>\n", 0, "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;\n"},
	    /* Unterminated at the end: the token runs to the end of its line or block. */
	    {"c", "x = \"abc", 0,
	     "x <span class=\"o\">=</span> <span class=\"s\">&quot;abc</span>"},
	    {"c", "x = \"abc\ny", 0,
	     "x <span class=\"o\">=</span> <span class=\"s\">&quot;abc</span>\ny"},
	    {"c", "a /* b\nc", 0, "a <span class=\"c\">/* b</span>\n<span class=\"c\">c</span>"},
	    {"python", "s = '''open", 0,
	     "s <span class=\"o\">=</span> <span class=\"s\">&#39;&#39;&#39;open</span>"},
	    {"html", "<!-- open", 0, "<span class=\"c\">&lt;!-- open</span>"},
	    /* A block scalar's '|' last in the block (the fuzzer found a read past the end here). */
	    {"yaml", "k: |", 0, "<span class=\"na\">k</span>: <span class=\"o\">|</span>"},
	    {"sh", "echo \"$(", 0,
	     "<span class=\"nb\">echo</span> <span class=\"s\">&quot;$(</span>"},
	    /* Escapes. */
	    {"json", "\"a\\\"b\\\\\"", 0,
	     "<span class=\"s\">&quot;a</span><span class=\"se\">\\&quot;</span><span "
	     "class=\"s\">b</span><span class=\"se\">\\\\</span><span class=\"s\">&quot;</span>"},
	    {"rust", "'\\u{1F600}'", 0,
	     "<span class=\"s\">&#39;</span><span class=\"se\">\\u{1F600}</span><span "
	     "class=\"s\">&#39;</span>"},
	    /* Nested block comments where the language nests them, and not in C. */
	    {"rust", "/* a /* b */ c */ d", 0, "<span class=\"c\">/* a /* b */ c */</span> d"},
	    {"swift", "/* a /* b */ c */ d", 0, "<span class=\"c\">/* a /* b */ c */</span> d"},
	    {"kotlin", "/* a /* b */ c */ d", 0, "<span class=\"c\">/* a /* b */ c */</span> d"},
	    {"rust", "/* a /* b */ c", 0, "<span class=\"c\">/* a /* b */ c</span>"},
	    {"c", "/* a /* b */ c */", 0,
	     "<span class=\"c\">/* a /* b */</span> c <span class=\"o\">*/</span>"},
	    /* CRLF: the '\r' stays outside spans, with the '\n'. */
	    {"python", "x = 1\r\n# c\r\n", 0,
	     "x <span class=\"o\">=</span> <span class=\"m\">1</span>\r\n<span class=\"c\"># "
	     "c</span>\r\n"},
	    {"c", "/* a\r\nb */", 0,
	     "<span class=\"c\">/* a</span>\r\n<span class=\"c\">b */</span>"},
	    {"yaml", "a: 1\r\nb: x\r\n", 0,
	     "<span class=\"na\">a</span>: <span class=\"m\">1</span>\r\n<span "
	     "class=\"na\">b</span>: x\r\n"},
	    /* Tabs are kept. */
	    {"go", "\tif x {\n\t\treturn\n\t}\n", 0,
	     "\t<span class=\"k\">if</span> x {\n\t\t<span class=\"k\">return</span>\n\t}\n"},
	    /* Invalid UTF-8 is escaped to U+FFFD; valid UTF-8 in names and strings is kept whole.
	     */
	    {"rust", "let caf\xc3\xa9 = \"na\xc3\xafve\";", 0,
	     "<span class=\"k\">let</span> caf\xc3\xa9 <span class=\"o\">=</span> <span "
	     "class=\"s\">&quot;na\xc3\xafve&quot;</span>;"},
	    {"c", "x\xff\xfe = \"\xe2\x82\";", 0,
	     "x\xef\xbf\xbd\xef\xbf\xbd <span class=\"o\">=</span> <span "
	     "class=\"s\">&quot;\xef\xbf\xbd\xef\xbf\xbd&quot;</span>;"},
	    {"python", "\"\xe2\x82\xac\"", 0, "<span class=\"s\">&quot;\xe2\x82\xac&quot;</span>"},
	    {"sh", "echo a\0b", 8,
	     "<span class=\"nb\">echo</span> a\xef\xbf\xbd"
	     "b"},
	    /* A span never ends inside a character: the quote is followed by a continuation byte.
	     */
	    {"c", "'\xc3\xa9'x", 0, "<span class=\"s\">&#39;\xc3\xa9&#39;</span>x"},
	    {"c", "\"a\"\xa9", 0, "<span class=\"s\">&quot;a&quot;\xef\xbf\xbd</span>"},
	};
	run_whole(cases, GZ_ARRAY_LEN(cases));
}

static void test_lang_find(void **state)
{
	static const struct {
		const char *name;
		const char *label; /* NULL: not highlighted */
	} cases[] = {
	    {"rust", "Rust"},
	    {"RS", "Rust"},
	    {"c", "C"},
	    {"C++", "C++"},
	    {"cpp", "C++"},
	    {"cc", "C++"},
	    {"hpp", "C++"},
	    {"go", "Go"},
	    {"golang", "Go"},
	    {"py", "Python"},
	    {"python3", "Python"},
	    {"js", "JavaScript"},
	    {"javascript", "JavaScript"},
	    {"jsx", "JavaScript"},
	    {"mjs", "JavaScript"},
	    {"ts", "TypeScript"},
	    {"tsx", "TypeScript"},
	    {"java", "Java"},
	    {"kt", "Kotlin"},
	    {"swift", "Swift"},
	    {"rb", "Ruby"},
	    {"php", "PHP"},
	    {"sh", "Shell"},
	    {"bash", "Shell"},
	    {"zsh", "Shell"},
	    {"shell", "Shell"},
	    {"console", "Shell session"},
	    {"shell-session", "Shell session"},
	    {"sh-session", "Shell session"},
	    {"ps1", "PowerShell"},
	    {"pwsh", "PowerShell"},
	    {"PowerShell", "PowerShell"},
	    {"sql", "SQL"},
	    {"html", "HTML"},
	    {"xhtml", "HTML"},
	    {"css", "CSS"},
	    {"json", "JSON"},
	    {"jsonc", "JSON"},
	    {"yaml", "YAML"},
	    {"yml", "YAML"},
	    {"toml", "TOML"},
	    {"xml", "XML"},
	    {"svg", "XML"},
	    {"dockerfile", "Dockerfile"},
	    {"docker", "Dockerfile"},
	    {"diff", "Diff"},
	    {"patch", "Diff"},
	    {"md", "Markdown"},
	    {"markdown", "Markdown"},
	    {"makefile", "Makefile"},
	    {"make", "Makefile"},
	    {"cobol", NULL},
	    {"", NULL},
	    {"rustt", NULL},
	    {"r", NULL},
	    {"c+", NULL},
	    {"text", NULL},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		const struct hl_lang *L = hl_lang_find(cases[i].name, strlen(cases[i].name));
		if (!cases[i].label) {
			assert_null(L);
			continue;
		}
		assert_non_null(L);
		assert_string_equal(hl_lang_label(L), cases[i].label);
	}
}

static void test_opts(void **state)
{
	struct hl_opts o;

	assert_true(
	    hl_opts_parse("go {linenos=true, hl_lines=[2, \"4-5\"], linenostart=10}", 54, &o));
	assert_true(o.linenos);
	assert_int_equal(o.linenostart, 10);
	assert_int_equal(o.nhl, 2);
	assert_int_equal(o.hl[0].first, 2);
	assert_int_equal(o.hl[0].last, 2);
	assert_int_equal(o.hl[1].first, 4);
	assert_int_equal(o.hl[1].last, 5);

	const char *older = "{hl_lines=\"1 3-4\"}";
	assert_true(hl_opts_parse(older, strlen(older), &o));
	assert_false(o.linenos);
	assert_int_equal(o.nhl, 2);
	assert_int_equal(o.hl[1].first, 3);
	assert_int_equal(o.hl[1].last, 4);

	assert_true(hl_opts_parse("{linenos=table}", 15, &o));
	assert_true(o.linenos);
	assert_false(hl_opts_parse("{linenos=false}", 15, &o));
	assert_false(hl_opts_parse("go", 2, &o));
	assert_false(
	    hl_opts_parse("{hl_lines=[5-2, x]}", 19, &o)); /* a backward range is dropped */
	assert_false(hl_opts_parse("{linenostart=99999999}", 22, &o));
	assert_int_equal(o.linenostart, 0);

	/* Lines: numbered from linenostart, marked by their place in the block. */
	struct buf b = BUF_INIT;
	const char *info = "{linenos=true, linenostart=9, hl_lines=[2]}";
	assert_true(hl_opts_parse(info, strlen(info), &o));
	hl_render(&b, hl_lang_find("c", 1), "/* a\nb */\nx", 11, &o);
	assert_string_equal(
	    b.data, "<span class=\"line\"><span class=\"ln\" aria-hidden=\"true\">9</span>"
	            "<span class=\"c\">/* a</span>\n</span>"
	            "<span class=\"line hl\"><span class=\"ln\" aria-hidden=\"true\">10</span>"
	            "<span class=\"c\">b */</span>\n</span>"
	            "<span class=\"line\"><span class=\"ln\" aria-hidden=\"true\">11</span>x"
	            "</span>");
	buf_free(&b);
}

/* A block of at least 1 MB made of copies of a snippet. */
static char *big_block(const char *snippet, size_t *len)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(snippet);
	while (b.len < (1u << 20))
		buf_append(&b, snippet, n);
	return buf_detach(&b, len);
}

static void test_one_megabyte(void **state)
{
	const struct hl_case *sets[] = {code_cases, other_cases};
	const size_t counts[] = {GZ_ARRAY_LEN(code_cases), GZ_ARRAY_LEN(other_cases)};

	for (size_t s = 0; s < 2; s++) {
		for (size_t i = 0; i < counts[s]; i++) {
			size_t len, hlen;
			char *in = big_block(sets[s][i].in, &len);
			clock_t t0 = clock();
			char *html = render(sets[s][i].lang, in, len, &hlen);
			double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
			/* Linear, and fast: a MB in well under a second even under ASan. */
			if (secs > 5)
				print_error("%s: 1 MB took %.2f s\n", sets[s][i].lang, secs);
			assert_true(secs < 5);
			free(html);
			free(in);
		}
	}
	/* One token a MB long: an unterminated comment, a string, a line. */
	static const char *const starts[][2] = {
	    {"c", "/*"},        {"python", "\"\"\""}, {"sh", "'"},           {"html", "<!--"},
	    {"yaml", "k: |\n"}, {"json", "\""},       {"markdown", "```\n"}, {"rust", "r#\""},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(starts); i++) {
		struct buf b = BUF_INIT;
		buf_puts(&b, starts[i][1]);
		while (b.len < (1u << 20))
			buf_puts(&b, "x ${y} \\n {z} $(w) #{v}\n");
		size_t hlen;
		char *html = render(starts[i][0], b.data, b.len, &hlen);
		free(html);
		buf_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_code_languages), cmocka_unit_test(test_other_languages),
	    cmocka_unit_test(test_edges),          cmocka_unit_test(test_lang_find),
	    cmocka_unit_test(test_opts),           cmocka_unit_test(test_one_megabyte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
