"""gazette behind a real nginx on /blog/, configured from the shipped
examples/nginx.conf (only ports, paths, the server name and the worker user
are changed, by the substitutions below): every link stays under the prefix,
a crawl finds no broken link, SIGKILL of one of the two instances loses no
request, and nginx caches, revalidates and passes gzip through.

nginx is Debian's (/usr/sbin/nginx), run in the foreground on a free port and
stopped by its PID; the two gazette instances share one database."""

import gzip
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
import requests

from conftest import (ROOT, Server, article, assert_no_sanitizer_report, build_site, free_port,
                      stop_checked, stop_process, threads_running, wait_for)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
EXAMPLE = ROOT / "examples" / "nginx.conf"
SAMPLES = ROOT / "static" / "samples"
ATOM = "{http://www.w3.org/2005/Atom}"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
RSS_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


# --- the site ------------------------------------------------------------------

TAGS = ["politics", "science", "C & Unix", "économie", "sport"]
AUTHORS = ["Jane Doe", "Ali Ray", "Zoë Ångström"]

LINKS_BODY = """Read [the politics tag](../tags/politics), [story number 1](story-number-1),
[the details below](#details), [an outside site](https://example.com/path?q=1&r=2),
[the desk](mailto:desk@example.org) and look at
![a picture](https://images.example.com/p.png).

## Details

Some detail, and [the front page](../).
"""


def site_files():
    """The sample site's own files plus 22 articles (two front pages), tags
    with spaces, ampersands and accents, three authors and a standalone page."""
    files = {p.name: p.read_text() for p in SAMPLES.iterdir() if p.is_file()}
    files["site.yaml"] = (SAMPLES / "site.yaml").read_text()
    for i in range(22):
        tags = "[" + ", ".join(f'"{TAGS[(i + k) % len(TAGS)]}"' for k in range(2)) + "]"
        authors = "[" + ", ".join(f'"{a}"' for a in AUTHORS[: 1 + i % 3]) + "]"
        body = LINKS_BODY if i == 5 else f"Paragraph {i} about the news of the day.\n"
        files[f"extra/story-{i}.md"] = article(
            f"Story number {i}", date=f"2025-01-{i + 1:02d}T08:00:00Z", body=body,
            slug=f"story-number-{i}", tags=tags, authors=authors,
            summary=f"Summary of story {i}.")
    files["extra/contact.md"] = article(
        "Contact", date=None, type="page", slug="contact", weight=2,
        body="Write to [the desk](mailto:desk@example.org) or read [the news](./).\n")
    return files


# --- nginx from the example ----------------------------------------------------

def nginx_config(prefix, port, upstream_ports):
    """examples/nginx.conf with ports, paths, the server name (and, as root,
    the worker user) changed; each change must apply exactly once."""
    text = EXAMPLE.read_text()
    temp = "\n".join(f"    {d}_temp_path {prefix}/{d};" for d in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    substitutions = [
        (r"^(\s*)listen\s+80;", rf"\g<1>listen 127.0.0.1:{port};"),
        (r"^(\s*)server_name\s+example\.org;", r"\g<1>server_name 127.0.0.1;"),
        (r"(\bserver\s+)127\.0\.0\.1:8081\b", rf"\g<1>127.0.0.1:{upstream_ports[0]}"),
        (r"(\bserver\s+)127\.0\.0\.1:8082\b", rf"\g<1>127.0.0.1:{upstream_ports[1]}"),
        (r"(proxy_cache_path\s+)/var/cache/nginx/gazette\b", rf"\g<1>{prefix}/cache"),
        (r"^http\s*\{", "http {\n" + f"    access_log {prefix}/access.log;\n" + temp),
    ]
    for pattern, replacement in substitutions:
        text, n = re.subn(pattern, replacement, text, flags=re.M)
        assert n == 1, f"examples/nginx.conf: {pattern!r} matched {n} times"
    if os.geteuid() == 0:  # workers would run as nobody and not read tmp_path
        text = "user root;\n" + text
    return text


class Nginx:
    def __init__(self, prefix, port, upstream_ports):
        self.prefix = Path(prefix)
        self.prefix.mkdir(parents=True, exist_ok=True)
        self.port = port
        self.conf = self.prefix / "nginx.conf"
        self.conf.write_text(nginx_config(self.prefix, port, upstream_ports))
        self.error_log = self.prefix / "error.log"
        self.out = open(self.prefix / "stderr.log", "w+")
        self.proc = subprocess.Popen(
            [NGINX, "-p", f"{self.prefix}/", "-c", str(self.conf), "-e", str(self.error_log),
             "-g", f"daemon off; pid {self.prefix}/nginx.pid; error_log {self.error_log};"],
            stdout=self.out, stderr=subprocess.STDOUT)
        try:
            wait_for(self._answers, 15, what="nginx to listen")
        except BaseException:
            self.stop()
            raise

    def _answers(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"nginx exited {self.proc.returncode}:\n{self.logs()}")
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def logs(self):
        text = (self.prefix / "stderr.log").read_text()
        if self.error_log.exists():
            text += self.error_log.read_text()
        return text

    def stop(self):
        stop_process(self.proc, signal.SIGQUIT, 15)  # graceful: finish, then exit
        self.out.close()
        return self.proc.returncode


class Stack:
    """nginx on a free port in front of two gazette instances on one database:
    A reads and writes, B is --read-only (as in the example's comment)."""

    def __init__(self, root, db):
        self.root = Path(root)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.public = f"{self.base}/blog"
        flags = ("--public-url", self.public, "--trusted-proxy", "127.0.0.1")
        self.servers = []
        self.nginx = None
        try:
            self.a = Server(db, *flags, "--access-log", self.root / "a.access",
                            log_path=self.root / "a.log")
            self.servers.append(self.a)
            self.b = Server(db, *flags, "--read-only", "--access-log", self.root / "b.access",
                            log_path=self.root / "b.log")
            self.servers.append(self.b)
            self.upstream_ports = [s.port for s in self.servers]
            self.nginx = Nginx(self.root / "nginx", self.port, self.upstream_ports)
        except BaseException:
            self.close()
            raise

    def get(self, path_or_url, session=None, **kw):
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 15)
        url = path_or_url if path_or_url.startswith("http") else self.base + path_or_url
        return (session or requests).get(url, **kw)

    def close(self, killed=()):
        """Stops nginx, then each instance (checked, except the ones killed)."""
        problems = []
        if self.nginx is not None:
            self.nginx.stop()
        for s in self.servers:
            if s in killed:
                s.session.close()
                s.log.close()
                assert_no_sanitizer_report(s.log_path.read_text())
                continue
            try:
                stop_checked(s)
            except AssertionError as e:
                problems.append(str(e))
        assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    assert Path(NGINX).exists(), "nginx (Debian's nginx package) is not installed"
    root = tmp_path_factory.mktemp("nginx-stack")
    db = build_site(root / "content" / "samples", site_files(), root / "site.db")
    st = Stack(root, db)
    yield st
    st.close()


# --- finding links -------------------------------------------------------------

class Link:
    """A URL as written in an answer, the address it resolves to, and whether
    it sits in an article body (where links to other sites are the author's)."""

    def __init__(self, raw, base, where, in_body=False):
        self.raw = raw.strip()
        self.base = base
        self.where = where
        self.in_body = in_body
        self.url = urljoin(base, self.raw)

    def __repr__(self):
        return f"{self.where}: {self.raw!r} (resolves to {self.url})"


class HTMLLinks(HTMLParser):
    URL_ATTRS = {"href", "src", "action", "poster", "cite", "data", "formaction"}
    META_URL = re.compile(r"^(https?:)?/")

    def __init__(self, base, where, in_body=False):
        super().__init__(convert_charrefs=True)
        self.base, self.where, self.always_body = base, where, in_body
        self.links = []
        self.divs = []  # for each open <div>: is it an article body?
        self.json_ld = None

    def in_body(self):
        return self.always_body or any(self.divs)

    def add(self, raw, what):
        self.links.append(Link(raw, self.base, f"{self.where} {what}", self.in_body()))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div":
            self.divs.append("body" in (attrs.get("class") or "").split())
        if tag == "base" and attrs.get("href"):
            self.base = urljoin(self.base, attrs["href"])
        for name in self.URL_ATTRS & attrs.keys():
            if attrs[name] is not None:
                self.add(attrs[name], f"<{tag} {name}>")
        if attrs.get("srcset"):
            for candidate in attrs["srcset"].split(","):
                self.add(candidate.split()[0], f"<{tag} srcset>")
        if tag == "meta" and attrs.get("content") and self.META_URL.match(attrs["content"]):
            self.add(attrs["content"], f"<meta {attrs.get('property') or attrs.get('name')}>")
        if tag == "script" and attrs.get("type") == "application/ld+json":
            self.json_ld = ""

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "div":
            self.divs.pop()

    def handle_endtag(self, tag):
        if tag == "div" and self.divs:
            self.divs.pop()
        if tag == "script" and self.json_ld is not None:
            for key, raw in json_strings(json.loads(self.json_ld)):
                if key != "@context" and re.match(r"^(https?:)?/", raw):
                    self.links.append(Link(raw, self.base, f"{self.where} JSON-LD {key}"))
            self.json_ld = None

    def handle_data(self, data):
        if self.json_ld is not None:
            self.json_ld += data


def html_links(text, base, where, in_body=False):
    p = HTMLLinks(base, where, in_body)
    p.feed(text)
    p.close()
    return p.links


def json_strings(value, key=None):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from json_strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from json_strings(v, key)
    elif isinstance(value, str):
        yield key, value


def atom_links(root, url):
    """Atom (RFC 4287): relative references resolve against xml:base, else
    against the feed's own address (RFC 3986, section 5.1)."""
    links = []

    def walk(el, base):
        if el.get(XML_BASE):
            base = urljoin(base, el.get(XML_BASE))
        name = el.tag.replace(ATOM, "")
        if name == "link":
            links.append(Link(el.get("href", ""), base, f"{url} atom <link rel={el.get('rel')}>"))
        elif name in ("id", "uri", "icon", "logo") and el.text:
            links.append(Link(el.text, base, f"{url} atom <{name}>"))
        elif name in ("content", "summary") and el.get("type") == "html" and el.text:
            links.extend(html_links(el.text, base, f"{url} atom <{name}>", in_body=True))
        for child in el:
            walk(child, base)
    walk(root, url)
    return links


def rss_links(root, url):
    """RSS 2.0: relative references in the content resolve against xml:base
    when there is one, else against the feed's own address, as feed readers
    do (Debian's python3-feedparser, for one, resolves them exactly so)."""
    links = []
    channel = root.find("channel")
    channel_base = urljoin(url, channel.get(XML_BASE) or root.get(XML_BASE) or "")
    if channel.findtext("link"):
        links.append(Link(channel.findtext("link"), url, f"{url} rss channel <link>"))
    for el in channel.iter(f"{ATOM}link"):
        links.append(Link(el.get("href", ""), url, f"{url} rss <atom:link>"))
    for item in channel.iter("item"):
        item_base = urljoin(channel_base, item.get(XML_BASE) or "")
        links.append(Link(item.findtext("link") or "", url, f"{url} rss item <link>"))
        guid = item.find("guid")
        if guid is not None and guid.get("isPermaLink", "true") == "true":
            links.append(Link(guid.text, url, f"{url} rss item <guid>"))
        for el in item.iter("enclosure"):
            links.append(Link(el.get("url", ""), url, f"{url} rss <enclosure>"))
        for tag in ("description", RSS_CONTENT):
            el = item.find(tag)
            if el is not None and el.text:
                base = urljoin(item_base, el.get(XML_BASE) or "")
                links += html_links(el.text, base, f"{url} rss item {tag}", in_body=True)
    return links


def json_feed_links(doc, url):
    """JSON Feed: the URL fields; content_html resolved against the item's own
    url (JSON Feed defines no base; this is the lenient choice)."""
    links = []
    for key in ("home_page_url", "feed_url", "next_url", "icon", "favicon"):
        if doc.get(key):
            links.append(Link(doc[key], url, f"{url} {key}"))
    for item in doc.get("items", []):
        item_url = urljoin(url, item.get("url") or url)
        for key in ("url", "external_url", "image", "banner_image"):
            if item.get(key):
                links.append(Link(item[key], url, f"{url} item {key}"))
        if str(item.get("id", "")).startswith("http"):
            links.append(Link(item["id"], url, f"{url} item id"))
        for author in item.get("authors", []):
            if author.get("url"):
                links.append(Link(author["url"], url, f"{url} item author url"))
        if item.get("content_html"):
            links += html_links(item["content_html"], item_url, f"{url} item content_html",
                                in_body=True)
    return links


def api_links(doc, url):
    """The API: every "url"-like field, and body_html resolved against its article."""
    links = []

    def walk(value, owner_url):
        if isinstance(value, dict):
            here = urljoin(url, value["url"]) if isinstance(value.get("url"), str) else owner_url
            for k, v in value.items():
                if isinstance(v, str) and (k == "url" or k.endswith("_url") or k == "instance"):
                    links.append(Link(v, url, f"{url} JSON {k}"))
                elif k == "body_html" and isinstance(v, str):
                    links.extend(html_links(v, here, f"{url} JSON body_html", in_body=True))
                else:
                    walk(v, here)
        elif isinstance(value, list):
            for v in value:
                walk(v, owner_url)
    walk(doc, url)
    return links


def header_links(r):
    links = []
    for raw in re.findall(r"<([^>]*)>", r.headers.get("Link", "")):
        links.append(Link(raw, r.url, f"{r.url} Link header"))
    for name in ("Location", "Content-Location"):
        if name in r.headers:
            links.append(Link(r.headers[name], r.url, f"{r.url} {name} header"))
    return links


def links_of(r):
    """Every URL an answer carries, by its Content-Type."""
    url = r.url
    kind = r.headers.get("Content-Type", "").split(";")[0].strip()
    links = header_links(r)
    if kind == "text/html":
        links += html_links(r.text, url, url)
    elif kind == "application/atom+xml":
        links += atom_links(ET.fromstring(r.content), url)
    elif kind == "application/rss+xml":
        links += rss_links(ET.fromstring(r.content), url)
    elif kind == "application/feed+json":
        links += json_feed_links(r.json(), url)
    elif kind in ("application/json", "application/problem+json"):
        links += api_links(r.json(), url)
    elif kind == "application/xml" and urlsplit(url).path.endswith("sitemap.xml"):
        links += [Link(el.text, url, f"{url} sitemap <loc>")
                  for el in ET.fromstring(r.content).iter(f"{SITEMAP}loc")]
    elif kind == "text/plain" and urlsplit(url).path.endswith("robots.txt"):
        for line in r.text.splitlines():
            field, _, val = line.partition(":")
            if field.strip().lower() == "sitemap":
                links.append(Link(val.strip(), url, f"{url} Sitemap"))
            elif field.strip().lower() in ("allow", "disallow") and val.strip():
                links.append(Link(val.strip(), url, f"{url} {field.strip()}"))
    elif kind == "text/css":
        for raw in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", r.text):
            links.append(Link(raw, url, f"{url} CSS url()"))
    return links


def escapes_prefix(link, st):
    """Why a link leaves the site under /blog/, or None when it stays.

    Allowed: an absolute http://127.0.0.1:PORT/blog/... URL, a root-relative
    /blog/... path, a fragment, a relative reference that resolves under
    /blog/, and mailto: anywhere. Links to OTHER hosts are allowed only inside
    an article body (they are what the author wrote)."""
    raw = link.raw
    if raw.startswith("#"):
        return None
    parts = urlsplit(raw)
    if parts.scheme == "mailto":
        return None
    if parts.scheme in ("http", "https") or raw.startswith("//"):
        absolute = urljoin(link.base, raw)
        host = urlsplit(absolute)
        if absolute.startswith(st.public + "/"):
            return None
        if host.hostname in ("127.0.0.1", "localhost", "::1"):
            return "an absolute URL on this machine outside " + st.public + "/"
        return None if link.in_body else "a link to another site outside an article body"
    if parts.scheme:
        return f"a {parts.scheme}: URL"
    if raw.startswith("/"):
        return None if raw.startswith("/blog/") else "a root-relative path outside /blog/"
    if not link.url.startswith(st.public + "/"):
        return "a relative reference that resolves outside /blog/"
    return None


# --- the crawl (shared by the link and broken-link tests) -----------------------

@pytest.fixture(scope="module")
def crawl(stack):
    """Follows every same-site link from /blog/ (and robots.txt) through nginx:
    HTML, feeds, the sitemap, API answers reached from pages, CSS."""
    session = requests.Session()
    start = [stack.public + "/", stack.public + "/robots.txt"]
    queue = deque(start)
    seen = set(start)
    answers = {}  # url -> response
    referrers = {}  # url -> first link that led there
    while queue:
        url = queue.popleft()
        assert len(answers) < 2000, "the crawl does not end"
        r = stack.get(url, session)
        answers[url] = r
        for link in links_of(r):
            target, _ = urldefrag(link.url)
            parts = urlsplit(target)
            if parts.scheme not in ("http", "https") or parts.netloc != f"127.0.0.1:{stack.port}":
                continue  # other sites, mailto:
            if target not in seen:
                seen.add(target)
                referrers[target] = link
                queue.append(target)
    session.close()
    return answers, referrers


# --- a) every link stays under /blog/ ------------------------------------------

def test_every_link_stays_under_the_prefix(stack, crawl):
    answers, _ = crawl
    checked = dict(answers)
    extra = ["/blog", "/blog/feed.xml", "/blog/rss.xml", "/blog/feed.json", "/blog/sitemap.xml",
             "/blog/robots.txt", "/blog/api/v1/articles", "/blog/api/v1/articles?limit=3",
             "/blog/api/v1/articles?limit=3&page=2", "/blog/api/v1/articles?q=story&limit=2",
             "/blog/api/v1/articles?tag=politics", "/blog/api/v1/tags", "/blog/api/v1/authors",
             "/blog/api/v1/articles/no-such-story", "/blog/no-such-page", "/blog/search?q=story",
             "/blog/articles/behind-nginx/", "/blog/page/1", "/blog/tags/politics/"]
    tags = stack.get("/blog/api/v1/tags").json()["tags"]
    assert len(tags) >= len(TAGS) + 4
    for t in tags:
        extra += [f"/blog/tags/{t['slug']}/{f}" for f in ("feed.xml", "rss.xml", "feed.json")]
    articles = stack.get("/blog/api/v1/articles?limit=100").json()["articles"]
    assert len(articles) == 25
    extra += [f"/blog/api/v1/articles/{a['slug']}" for a in articles]
    for path in extra:
        r = stack.get(path)
        assert r.status_code in (200, 301, 404), (path, r.status_code)
        checked[r.url] = r
    # The answers to a method gazette does not take carry links too.
    r = requests.post(stack.public + "/", timeout=10, allow_redirects=False)
    assert r.status_code == 405
    checked["POST " + r.url] = r

    bad, leaks, count = [], [], 0
    external_in_bodies = set()
    for url, r in checked.items():
        for port in stack.upstream_ports:
            if f"127.0.0.1:{port}" in r.text or f"127.0.0.1:{port}" in str(r.headers):
                leaks.append(f"{url} names the upstream 127.0.0.1:{port}")
        for link in links_of(r):
            count += 1
            why = escapes_prefix(link, stack)
            if why:
                bad.append(f"{link}: {why}")
            elif urlsplit(link.url).scheme in ("http", "https") and \
                    not link.url.startswith(stack.public + "/"):
                external_in_bodies.add(link.url)
    print(f"link check: {len(checked)} answers, {count} links, {len(bad)} outside /blog/; "
          f"allowed links to other sites in article bodies: {sorted(external_in_bodies)}")
    assert not leaks, "\n".join(leaks)
    assert not bad, f"{len(bad)} links escape {stack.public}/:\n" + "\n".join(sorted(set(bad)))
    # The check really saw links of every kind.
    assert count > 500
    assert "https://example.com/path?q=1&r=2" in external_in_bodies


# --- b) no broken link ---------------------------------------------------------

def test_crawl_through_nginx_finds_no_broken_link(stack, crawl):
    answers, referrers = crawl
    broken = []
    for url, r in answers.items():
        hops, final = 0, r
        while final.status_code in (301, 308) and hops < 5:
            target = urljoin(final.url, final.headers["Location"])
            final = answers.get(urldefrag(target)[0]) or stack.get(target)
            hops += 1
        if final.status_code != 200:
            broken.append(f"{url} -> {final.status_code} ({final.url}); linked from "
                          f"{referrers.get(url, 'the start')}")
    kinds = {}
    for r in answers.values():
        kind = r.headers.get("Content-Type", "?").split(";")[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"crawl through nginx: {len(answers)} URLs fetched ({kinds}), "
          f"broken links: {len(broken)}")
    assert not broken, f"{len(broken)} broken of {len(answers)} fetched:\n" + "\n".join(broken)
    # The crawl reached every part of the site.
    paths = {urlsplit(u).path for u in answers}
    for must in ("/blog/", "/blog/page/2", "/blog/about", "/blog/contact", "/blog/feed.xml",
                 "/blog/rss.xml", "/blog/feed.json", "/blog/sitemap.xml",
                 "/blog/articles/story-number-5", "/blog/tags/politics",
                 "/blog/tags/politics/feed.xml"):
        assert must in paths, f"the crawl never reached {must}"
    assert any(p.startswith("/blog/authors/") for p in paths)
    assert any(p.startswith("/blog/static/css/") for p in paths)
    assert len(answers) >= 80, len(answers)


def test_the_links_of_error_pages_work(stack):
    for path in ("/blog/no-such-page", "/blog/articles/no-such-story"):
        r = stack.get(path)
        assert r.status_code == 404
        targets = {urldefrag(link.url)[0] for link in links_of(r)
                   if urlsplit(link.url).netloc == f"127.0.0.1:{stack.port}"
                   and not link.raw.startswith("#")}
        assert targets
        for t in sorted(targets):
            assert stack.get(t).status_code == 200, f"{path} links to {t}"


# --- c) SIGKILL of one instance under load loses no request ---------------------

def test_sigkill_of_one_instance_under_load_loses_no_request(tmp_path):
    db = tmp_path / "site.db"
    st = Stack(tmp_path, db)  # A creates the sample site; B reads it
    killed = []
    try:
        paths = ["/blog/articles/what-is-gazette", "/blog/", "/blog/api/v1/articles",
                 "/blog/feed.xml", "/blog/tags/gazette"]
        counter = iter(range(10**9))
        lock = threading.Lock()
        statuses, failures = [], []

        def load(i, stop):
            session = requests.Session()
            while not stop.is_set():
                with lock:
                    n = next(counter)
                # A query string nginx's cache has never seen: a real trip upstream.
                url = f"{st.base}{paths[n % len(paths)]}?x={n}"
                try:
                    r = session.get(url, timeout=15)
                    statuses.append(r.status_code)
                    if r.status_code != 200 or r.headers.get("X-Cache") not in (None, "MISS"):
                        failures.append((url, r.status_code, r.headers.get("X-Cache")))
                except Exception as e:  # noqa: BLE001 - every failure counts
                    failures.append((url, repr(e)))
            session.close()

        with threads_running(8, load):
            time.sleep(1.5)
            a_served = len(st.a.log_path.with_suffix(".access").read_text().splitlines())
            st.a.proc.kill()  # SIGKILL, by PID
            st.a.proc.wait(timeout=10)
            killed.append(st.a)
            sent_at_kill = len(statuses)
            time.sleep(2.5)
        sent = len(statuses) + len([f for f in failures if len(f) == 2])
        print(f"failover through nginx: {sent} requests sent, {len(failures)} failed "
              f"({sent_at_kill} before the SIGKILL)")
        assert not failures, f"{len(failures)} of {sent} failed: {failures[:10]}"
        assert sent_at_kill > 100 and sent - sent_at_kill > 100, (sent_at_kill, sent)
        assert a_served > 20, "instance A had no share of the load before the kill"
        b_lines = (tmp_path / "b.access").read_text().splitlines()
        assert len(b_lines) >= sent - sent_at_kill
        # nginx did meet the dead instance, and retried on the other one.
        a_port = st.upstream_ports[0]
        assert f"127.0.0.1:{a_port}" in st.nginx.logs(), st.nginx.logs()
        assert st.get("/blog/articles/writing-articles?after=kill").status_code == 200
    finally:
        st.close(killed=killed)


# --- d) nginx caches, revalidates and passes gzip through ----------------------

def test_nginx_caches_revalidates_and_passes_gzip_through(stack):
    url = "/blog/articles/what-is-gazette?d=cache"
    first = stack.get(url, headers={"Accept-Encoding": "gzip"}, stream=True)
    first_raw = first.raw.read()
    assert first.status_code == 200
    assert first.headers.get("X-Cache") == "MISS"
    assert first.headers.get("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in first.headers.get("Vary", "")
    html = gzip.decompress(first_raw).decode()
    assert "What gazette is, and why it is small" in html
    etag = first.headers["ETag"]

    second = stack.get(url, headers={"Accept-Encoding": "gzip"}, stream=True)
    second_raw = second.raw.read()
    assert second.status_code == 200
    assert second.headers.get("X-Cache") in ("HIT", "REVALIDATED"), second.headers
    assert second.headers.get("Content-Encoding") == "gzip"
    assert second.headers["ETag"] == etag
    assert gzip.decompress(second_raw).decode() == html

    # A client that takes no gzip never gets the cached gzip (Vary).
    plain = stack.get(url, headers={"Accept-Encoding": "identity"}, stream=True)
    plain_raw = plain.raw.read()
    assert plain.status_code == 200
    assert "Content-Encoding" not in plain.headers or plain.headers["Content-Encoding"] == "identity"
    assert plain_raw.decode() == html

    # The browser's own revalidation gets a 304 from nginx.
    again = stack.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""

    # The API and the feeds are cached too.
    for path in ("/blog/api/v1/articles?d=cache", "/blog/feed.xml?d=cache"):
        stack.get(path)
        assert stack.get(path).headers.get("X-Cache") in ("HIT", "REVALIDATED"), path
    # /metrics and /healthz say no-store: never from nginx's cache.
    for path in ("/blog/healthz",):
        stack.get(path)
        assert stack.get(path).headers.get("X-Cache") in (None, "MISS", "BYPASS", "EXPIRED"), path


def test_the_prefix_itself_redirects(stack):
    r = stack.get("/blog")
    assert r.status_code == 301
    assert urljoin(r.url, r.headers["Location"]) == stack.public + "/"
