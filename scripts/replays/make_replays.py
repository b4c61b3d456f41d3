"""Writes golden replays under tests/replays/<source>/ from the per-site specs in replay_sites.py.

Each spec carries the site's markup (class names, URL shapes, entry points, taken from
SOURCES-NOTES.md and stored copies) and text written for the replay. The written files are
what the tests read; edit a spec and re-run to change a replay:

    .venv/bin/python scripts/replays/make_replays.py [SOURCE ...]

uza-uz's replay is written by hand and is not generated here.
"""
import html
import sys
from pathlib import Path
from replay_sites import SITES

ROOT = Path(__file__).resolve().parents[2] / "tests" / "replays"
esc = html.escape

def tq(s):  # TOML basic string
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

def article_html(site, a):
    c = site["chrome"]
    nav = " ".join(f'<a href="{h}">{esc(t)}</a>' for t, h in c["nav"])
    date = a["date"]
    meta = ""
    if site.get("date_style", "meta") == "meta":
        meta = f'<meta property="article:published_time" content="{date}T{a.get("time","10:00")}:00{site.get("tz","+05:00")}">'
    elif site["date_style"] == "ldjson":
        meta = f'<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":{tq(a["title"])},"datePublished":"{date}T{a.get("time","10:00")}:00{site.get("tz","+05:00")}"}}</script>'
    shown_date = site.get("shown_date", lambda d: d)(date)
    timetag = f'<time datetime="{date}T{a.get("time","10:00")}:00{site.get("tz","+05:00")}">{esc(shown_date)}</time>' if site.get("date_style") == "time" else esc(shown_date)
    paras = "\n".join(f"<p>{esc(p)}</p>" for p in a["paras"])
    k = site["classes"]
    related = ""
    if c.get("related"):
        related = f'<div class="{k.get("related","related-news")}"><h3>{esc(c["related"])}</h3><ul><li><a href="{site.get("home","/")}">{esc(c["related"])}</a></li></ul></div>'
    comments = f'<section class="{k.get("comments","comments")}" id="comments"><h3>{esc(c["comments"])}</h3></section>' if c.get("comments") else ""
    dir_attr = ' dir="rtl"' if site.get("rtl") else ""
    return f"""<!DOCTYPE html>
<html lang="{site['html_lang']}"{dir_attr}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(a['title'])} {esc(site['title_suffix'])}</title>
<meta property="og:title" content="{esc(a['title'])}">
<meta property="og:type" content="article">
{meta}
<link rel="canonical" href="{a['url']}">
</head>
<body class="{k.get('body','page')}">
<header class="{k.get('header','header')}">
<div class="{k.get('logo','logo')}"><a href="{site.get('home','/')}">{esc(site['name'])}</a></div>
<nav class="{k.get('nav','main-menu')}">{nav}</nav>
</header>
<div class="{k.get('wrap','container')}">
<{k.get('article_tag','article')} class="{k['article']}">
<h1 class="{k.get('h1','title')}">{esc(a['title'])}</h1>
<div class="{k.get('meta','meta')}"><span class="{k.get('date','date')}">{timetag}</span></div>
<div class="{k['text']}">
{paras}
</div>
<div class="{k.get('share','share')}">{esc(c['share'])}: <a href="https://t.me/share/url?url={a['url']}">Telegram</a> <a href="https://www.facebook.com/sharer/sharer.php?u={a['url']}">Facebook</a></div>
{related}
</{k.get('article_tag','article')}>
{comments}
</div>
<footer class="{k.get('footer','footer')}"><p>{esc(c['footer'])}</p></footer>
</body>
</html>
"""

def rss(site, entry, arts):
    items = "\n".join(f"""<item>
<title>{esc(a['title'])}</title>
<link>{a['url']}</link>
<guid>{a['url']}</guid>
<description>{esc(a['paras'][0])}</description>
{'' if site.get('feed_no_dates') else f"<pubDate>{a['rfc']}</pubDate>"}
</item>""" for a in arts)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{esc(site['name'])}</title>
<link>{entry['home_url']}</link>
<description>{esc(site['name'])}</description>
<atom:link href="{entry['url']}" rel="self" type="application/rss+xml"/>
{items}
</channel>
</rss>
"""

def sitemap(site, entry, arts):
    urls = "\n".join(f"<url><loc>{a.get('sitemap_loc', a['url'])}</loc><lastmod>{a['date']}</lastmod></url>" for a in arts)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{urls}
</urlset>
"""

def sitemapindex(site, entry, arts):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{chr(10).join(f'<sitemap><loc>{u}</loc></sitemap>' for u in entry['children'])}
</sitemapindex>
"""

def listing(site, entry, arts):
    c, k = site["chrome"], site["classes"]
    nav = " ".join(f'<a href="{h}">{esc(t)}</a>' for t, h in c["nav"])
    items = "\n".join(entry["item"].format(url=a["url"], title=esc(a["title"]), date=a["date"]) for a in arts)
    extra = entry.get("extra", "")
    return f"""<!DOCTYPE html>
<html lang="{site['html_lang']}">
<head><meta charset="utf-8"><title>{esc(entry.get('title', site['name']))}</title></head>
<body>
<header class="{k.get('header','header')}"><nav class="{k.get('nav','main-menu')}">{nav}</nav></header>
<main>
{entry.get('open','<div class="news-list">')}
{items}
{entry.get('close','</div>')}
{extra}
</main>
<footer class="{k.get('footer','footer')}"><p>{esc(c['footer'])}</p></footer>
</body>
</html>
"""

MAKERS = {"rss": (rss, "xml"), "sitemap": (sitemap, "xml"), "sitemapindex": (sitemapindex, "xml"), "listing": (listing, "html")}
MONTHS = ["Jan","Feb","Mar","Apr","May","Jun","Jul","Aug","Sep","Oct","Nov","Dec"]

def main(names):
    for name, site in SITES.items():
        if names and name not in names:
            continue
        folder = ROOT / name
        folder.mkdir(parents=True, exist_ok=True)
        arts = site["articles"]
        for a in arts:
            y, m, d = a["date"].split("-")
            a["rfc"] = f"{d} {MONTHS[int(m)-1]} {y} {a.get('time','10:00')}:00 {site.get('tz','+05:00').replace(':','')}"
        out = [f"# Golden replay of {name}: {site['modelled_detail']}", "# Every sentence here is written for this replay; none is taken from the site.",
               f"source = {tq(name)}", f"modelled_on = {tq(site['modelled_on'])}", ""]
        for i, entry in enumerate(site["entries"]):
            maker, ext = MAKERS[entry["kind"]]
            fname = entry.get("file") or f"entry-{i+1}.{ext}"
            these = [arts[j] for j in entry.get("articles", range(len(arts)))]
            (folder / fname).write_text(maker(site, entry, these), encoding="utf-8")
            out += ["[[serve]]", f"url = {tq(entry['url'])}", f"file = {tq(fname)}", ""]
        for extra in site.get("serve", []):
            out += ["[[serve]]"] + [f"{k} = {tq(v) if isinstance(v, str) else v}" for k, v in extra.items()] + [""]
        c = site["chrome"]
        mnc = [t for t, _ in c["nav"]] + [c["share"], c["footer"]] + ([c["comments"]] if c.get("comments") else []) + ([c["related"]] if c.get("related") else [])
        for i, a in enumerate(arts):
            fname = f"article-{i+1}.html"
            (folder / fname).write_text(article_html(site, a), encoding="utf-8")
            out += ["[[article]]", f"url = {tq(a['url'])}", f"file = {tq(fname)}", f"title = {tq(a['title'])}",
                    f"published = {tq(a['date'])}", f"lang = {tq(a['lang'])}", f"script = {tq(a['script'])}",
                    f"first = {tq(a['paras'][0])}", f"last = {tq(a['paras'][-1])}",
                    "must_not_contain = [" + ", ".join(tq(s) for s in mnc) + "]", ""]
        (folder / "replay.toml").write_text("\n".join(out), encoding="utf-8")
        print("wrote", name)

main(sys.argv[1:])
