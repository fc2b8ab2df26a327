"""``report.json`` (every call, every turn, all figures) and a self-contained ``report.html``.

The HTML has inline CSS and inline SVG charts drawn here; no script, no external asset. Every
text that comes from a transcript or from the bot is HTML-escaped, and its personal numbers
masked.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from citizen_common.privacy import mask_structure

CSS = """
body{font-family:-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;
margin:2em auto;max-width:1100px;color:#222;line-height:1.45;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0;font-size:.92em}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}
.big{font-size:2.4em;font-weight:bold;color:#1a6}.muted{color:#777;font-size:.9em}
.bad{color:#b22}.good{color:#1a6}.cards{display:flex;gap:1.5em;flex-wrap:wrap}
.card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;min-width:10em}
td.text{max-width:32em;word-break:break-word;white-space:pre-wrap}
"""


def write(report: dict, out: Path) -> tuple[Path, Path]:
    """Writes both files; callers' ID-card and phone numbers appear in them only masked."""
    report = mask_structure(report)
    out.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out / "report.json", out / "report.html"
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    html_path.write_text(render_html(report), encoding="utf-8")
    return json_path, html_path


def e(value) -> str:
    return escape("" if value is None else str(value), quote=True)


def pct(value) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def short(text: str, limit: int = 300) -> str:
    text = text or ""
    return text if len(text) <= limit else text[:limit] + f"… (+{len(text) - limit} chars)"


def bar_chart(rows: list[tuple[str, float, str]], width: int = 640) -> str:
    """Horizontal bars, values in [0, 1]; rows are (label, value, caption)."""
    if not rows:
        return ""
    bar_h, gap, label_w = 20, 8, 180
    height = len(rows) * (bar_h + gap) + gap
    parts = [
        f'<svg width="{width}" height="{height}" '
        f'role="img" font-size="12" font-family="sans-serif">'
    ]
    span = width - label_w - 90
    for i, (label, value, caption) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = max(0.0, min(1.0, value or 0)) * span
        colour = "#1a6" if (value or 0) >= 0.8 else "#e90" if (value or 0) >= 0.5 else "#c33"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{e(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{span}" height="{bar_h}" '
            f'fill="#eee"/><rect x="{label_w}" y="{y}" width="{w:.1f}" '
            f'height="{bar_h}" fill="{colour}"/>'
            f'<text x="{label_w + span + 6}" y="{y + 14}">{e(caption)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def latency_chart(latencies: list[float], width: int = 640, height: int = 160) -> str:
    if not latencies:
        return ""
    top = max(latencies) or 1.0
    bins = 30
    counts = [0] * bins
    for value in latencies:
        counts[min(bins - 1, int(value / top * bins))] += 1
    peak = max(counts)
    bw = (width - 40) / bins
    parts = [
        f'<svg width="{width}" height="{height + 30}" '
        f'role="img" font-size="11" font-family="sans-serif">'
    ]
    for i, count in enumerate(counts):
        h = count / peak * height
        parts.append(
            f'<rect x="{20 + i * bw:.1f}" y="{height - h:.1f}" width="{bw - 1:.1f}" '
            f'height="{h:.1f}" fill="#48c"><title>{count}</title></rect>'
        )
    parts.append(
        f'<text x="20" y="{height + 16}">0 ms</text><text x="{width - 20}" '
        f'y="{height + 16}" text-anchor="end">{top:.0f} ms</text></svg>'
    )
    return "".join(parts)


def render_html(report: dict) -> str:
    f = report["figures"]
    meta = report["run"]
    out = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        "<title>Hotline replay report</title><style>",
        CSS,
        "</style></head><body>",
        "<h1>Hotline replay: how much could the assistant carry?</h1>",
        f'<p class="muted">Source <code>{e(meta["source"])}</code> · model '
        f"<code>{e(meta['model'] or meta['url'])}</code> · {e(meta['finished_at'])} · "
        f"mode {e(meta['mode'])}</p>",
    ]
    if meta.get("interrupted"):
        out.append(
            '<p class="bad"><b>Partial report:</b> the run was interrupted; only the '
            "calls that finished are counted.</p>"
        )
    out.append(
        '<div class="cards">'
        f'<div class="card"><div class="big">{pct(f["containment_rate"])}</div>'
        f"containment ({f['contained_calls']} of {f['calls_replayed']} calls)</div>"
        f'<div class="card"><div class="big">{f["caller_turns"]}</div>caller turns '
        f"({f['labelled_turns']} labelled)</div>"
    )
    if f.get("intents"):
        out.append(
            f'<div class="card"><div class="big">{pct(f["intents"]["accuracy"])}'
            f"</div>intent accuracy on labelled turns</div>"
        )
    out.append(
        f'<div class="card"><div class="big">{len(report["bad_lines"])}</div>'
        "bad input lines</div></div>"
    )
    out.append(f"<h2>Containment</h2><p>{e(f['containment_definition'])}</p>")
    if f["agent_resolved_calls"]:
        out.append(
            f"<p>Of the {f['agent_resolved_calls']} calls the human agent resolved, the "
            f"assistant would have contained {f['agent_resolved_contained']}.</p>"
        )
    rows = [
        (name, v["rate"], f"{v['contained']}/{v['calls']} ({pct(v['rate'])})")
        for name, v in f["containment_by_service"].items()
    ]
    out.append("<h3>By service</h3>" + bar_chart(rows))
    if f["unhandled_reasons"]:
        out.append(
            "<h3>Why turns were not handled</h3><table><tr><th>reason</th>"
            "<th>turns</th></tr>"
            + "".join(
                f"<tr><td>{e(k)}</td><td class=n>{v}</td></tr>"
                for k, v in f["unhandled_reasons"].items()
            )
            + "</table>"
        )
    intents = f.get("intents")
    if intents:
        out.append(
            f"<h2>Understanding (labelled turns)</h2><p>Accuracy "
            f"{pct(intents['accuracy'])}, macro F1 {intents['macro_f1']}.</p>"
            "<table><tr><th>intent</th><th>precision</th><th>recall</th><th>F1</th>"
            "<th>support</th></tr>"
        )
        for name, m in intents["per_intent"].items():
            out.append(
                f"<tr><td>{e(name)}</td><td class=n>{m['precision']:.2f}</td>"
                f"<td class=n>{m['recall']:.2f}</td><td class=n>{m['f1']:.2f}</td>"
                f"<td class=n>{m['support']}</td></tr>"
            )
        out.append(
            '</table><h3>Confusion matrix</h3><p class="muted">Rows: the label; '
            "columns: what the assistant understood.</p><table><tr><th></th>"
            + "".join(f"<th>{e(c)}</th>" for c in intents["columns"])
            + "</tr>"
        )
        for label, row in zip(intents["labels"], intents["matrix"]):
            cells = "".join(
                f'<td class=n style="background:{"#d8f0e0" if c == label and n else "#f8d8d8" if n else "#fff"}">{n or ""}</td>'
                for c, n in zip(intents["columns"], row)
            )
            out.append(f"<tr><th>{e(label)}</th>{cells}</tr>")
        out.append("</table>")
    out.append(
        "<h2>Most misunderstood turns</h2><table><tr><th>call</th><th>caller said</th>"
        "<th>label</th><th>understood</th><th>conf.</th><th>not handled</th>"
        "<th>assistant replied</th></tr>"
    )
    for t in f["most_misunderstood"]:
        conf = "" if t["confidence"] is None else f"{t['confidence']:.2f}"
        out.append(
            f"<tr><td>{e(t['call_id'])}</td><td class=text>{e(short(t['text']))}</td>"
            f"<td>{e(t['label_intent'])}</td><td>{e(t['predicted_intent'])}</td>"
            f"<td class=n>{conf}</td>"
            f"<td>{e(t['unhandled'])}</td>"
            f"<td class=text>{e(short(' / '.join(t['replies'] or []), 200))}</td></tr>"
        )
    out.append("</table>")
    lat = f["latency_ms"]
    out.append(
        f"<h2>Latency per caller turn</h2><p>p50 {lat['p50']} ms · p90 {lat['p90']} ms"
        f" · p99 {lat['p99']} ms · max {lat['max']} ms"
        + (
            f" · {f['turns_per_second']} turns/s over {f['wall_seconds']} s"
            if f.get("turns_per_second")
            else ""
        )
        + "</p>"
    )
    out.append(
        latency_chart(
            [
                t["latency_ms"]
                for c in report["calls"]
                for t in c["turns"]
                if t.get("latency_ms") is not None and not t.get("error")
            ]
        )
    )
    if report.get("comparison"):
        out.append(render_comparison(report["comparison"]))
    out.append("<h2>Bad input lines</h2>")
    if report["bad_lines"]:
        out.append(
            "<table><tr><th>line</th><th>call</th><th>reason</th></tr>"
            + "".join(
                f"<tr><td class=n>{b['line']}</td><td>{e(b.get('call_id'))}</td>"
                f"<td>{e(b['reason'])}</td></tr>"
                for b in report["bad_lines"]
            )
            + "</table>"
        )
    else:
        out.append("<p>None.</p>")
    if report.get("notes"):
        out.append("<ul>" + "".join(f"<li>{e(n)}</li>" for n in report["notes"]) + "</ul>")
    out.append("<h2>Every call</h2>")
    for call in report["calls"]:
        state = (
            "<span class=good>contained</span>"
            if call["contained"]
            else "<span class=bad>not contained</span>"
        )
        out.append(
            f"<details><summary>{e(call['call_id'])} · {e(call['service'])} · {state}"
            "</summary><table><tr><th>#</th><th>caller said</th><th>label</th>"
            "<th>understood</th><th>actions</th><th>assistant replied</th><th>ms</th>"
            "</tr>"
        )
        for t in call["turns"]:
            cls = " class=bad" if t.get("unhandled") else ""
            out.append(
                f"<tr{cls}><td>{t['position']}</td><td class=text>{e(short(t['text']))}"
                f"</td><td>{e(t['label_intent'])}</td><td>{e(t['predicted_intent'])}"
                f"{' — ' + e(t['error']) if t.get('error') else ''}</td>"
                f"<td>{e(', '.join(t['actions']))}</td>"
                f"<td class=text>{e(short(' / '.join(t['replies']), 300))}</td>"
                f"<td class=n>{t['latency_ms']}</td></tr>"
            )
        out.append("</table></details>")
    out.append("</body></html>")
    return "\n".join(out)


def render_comparison(c: dict) -> str:
    rate = c["containment_rate"]
    delta = rate["delta"]
    cls = "good" if delta and delta > 0 else "bad" if delta and delta < 0 else ""
    out = [
        f"<h2>Compared with {e(c['old_report'])}</h2>",
        f"<p>Containment {pct(rate['old'])} → {pct(rate['new'])} "
        f'<span class="{cls}">({"" if delta is None else f"{delta * 100:+.1f} points"})'
        f"</span>; macro F1 {e(c['macro_f1']['old'])} → {e(c['macro_f1']['new'])}.</p>",
        "<table><tr><th>intent</th><th>old F1</th><th>new F1</th><th>change</th></tr>",
    ]
    for name, v in c["f1_by_intent"].items():
        d = v["delta"]
        cls = "good" if d and d > 0 else "bad" if d and d < 0 else ""
        out.append(
            f"<tr><td>{e(name)}</td><td class=n>{e(v['old'])}</td>"
            f'<td class=n>{e(v["new"])}</td><td class="n {cls}">{e(d)}</td></tr>'
        )
    out.append("</table><h3>Turns whose understood intent changed</h3>")
    if c["turns_with_changed_intent"]:
        out.append(
            "<table><tr><th>call</th><th>caller said</th><th>label</th><th>old</th>"
            "<th>new</th><th></th></tr>"
            + "".join(
                f"<tr><td>{e(t['call_id'])}</td><td class=text>{e(short(t['text']))}</td>"
                f"<td>{e(t['label_intent'])}</td><td>{e(t['old'])}</td>"
                f'<td>{e(t["new"])}</td><td class="{"good" if t["verdict"] == "better" else "bad" if t["verdict"] == "worse" else ""}">{e(t["verdict"])}</td></tr>'
                for t in c["turns_with_changed_intent"]
            )
            + "</table>"
        )
    else:
        out.append("<p>None.</p>")
    return "".join(out)
