"""The tables `make bench` prints: cold, warm, size, micro, the ratios against the floor and the targets."""

from contenders import SCHEMES
from harness import median


def fmt(value, digits=1):
    if value is None:
        return "—"
    return "{:,.{}f}".format(value, digits)


def fmt_range(values, scale, digits=1):
    if not values:
        return "—"
    v = [x / scale for x in values]
    return "%s (%s–%s)" % (fmt(median(v), digits), fmt(min(v), digits), fmt(max(v), digits))


def render_table(headers, rows, align=None):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    align = align or ["<"] + [">"] * (len(headers) - 1)

    def line(cells):
        return "  ".join("{:{}{}}".format(str(c), a, w) for c, a, w in zip(cells, align, widths)).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out)


def cold_samples(c, scheme):
    return c.get("cold", {}).get(scheme, [])


def metric(c, key):
    """One figure of a contender's entry (None when not measured)."""
    https, http_ = cold_samples(c, "https"), cold_samples(c, "http")
    warm_ = c.get("warm", {})
    if key == "init_cpu":  # from the HTTPS starts: the cold path being measured (init differs by scheme)
        return median([s["init_cpu_ns"] for s in (https or http_)])
    if key == "init_cpu_http":
        return median([s["init_cpu_ns"] for s in http_])
    if key == "first_https":
        return median([s["first_cpu_ns"] for s in https])
    if key == "first_http":
        return median([s["first_cpu_ns"] for s in http_])
    if key == "tls_setup":
        a, b = metric(c, "first_https"), metric(c, "first_http")
        return a - b if a is not None and b is not None else None
    if key == "init_first_https":
        return median([s["init_plus_first_cpu_ns"] for s in https])
    if key == "init_faults":
        return median([s["init_minor_faults"] for s in (https or http_)])
    if key == "init_rss":
        return median([s["init_rss_kb"] for s in (https or http_)])
    if key == "first_rss":
        return median([s["first_rss_kb"] for s in (https or http_)])
    if key == "init_wall":
        return median([s["init_wall_ns"] for s in (https or http_)])
    if key == "first_wall_https":
        return median([s["first_wall_ns"] for s in https])
    if key == "preexec":
        return median([s["preexec_cpu_ns"] for s in https + http_])
    if key == "rie":
        return median(c.get("rie_init_ms", []))
    if key.startswith("warm_"):  # warm_<scheme>_<field>
        _, scheme, field = key.split("_", 2)
        return warm_.get(scheme, {}).get(field)
    if key == "peak_rss":  # the highest VmHWM of any of its warm processes, either scheme (MiB)
        values = [r["peak_rss_mib"] for rounds in c.get("warm_rounds", {}).values() for r in rounds]
        return max(values) if values else None
    if key == "zip":
        return c.get("size", {}).get("zip_bytes")
    return None


def report(results):
    by = {c["name"]: c for c in results["contenders"]}
    settings = results["settings"]
    ms = lambda v: fmt(v / 1e6, 2) if v is not None else "—"  # noqa: E731
    mib = lambda kb: fmt(kb / 1024, 1) if kb is not None else "—"  # noqa: E731
    lines = ["cold (median (min–max) of %d fresh starts per scheme; CPU of all threads, ms):" % settings["cold_starts"]]
    rows = []
    for c in results["contenders"]:
        https = cold_samples(c, "https")
        rows.append([
            c["name"],
            fmt_range([s["init_cpu_ns"] for s in https], 1e6, 2) if https else "—",
            fmt_range([s["first_cpu_ns"] for s in https], 1e6, 2) if https else "—",
            ms(metric(c, "first_http")),
            ms(metric(c, "tls_setup")),
            ms(metric(c, "init_first_https")),
            ms(metric(c, "init_cpu_http")),
            mib(metric(c, "init_rss")), mib(metric(c, "first_rss")), fmt(metric(c, "init_faults"), 0),
            ms(metric(c, "init_wall")), ms(metric(c, "first_wall_https")),
            fmt(metric(c, "rie"), 2),
        ])
    lines.append(render_table(["contender", "init CPU", "1st inv HTTPS", "1st inv HTTP", "TLS set-up", "init+1st HTTPS",
                               "init CPU (HTTP run)", "init RSS MiB", "RSS after 1st", "init faults", "init wall", "1st inv wall",
                               "RIE init ms"], rows))
    lines.append("init CPU = CPU at the first `next` less the task's CPU before exec'ing the runtime (the spawner's "
                 "child side and the exec shim; median %s), from the HTTPS starts;\n"
                 "1st inv = CPU from the first `next` to the second (event, webhook — HTTPS: connection, handshake, "
                 "CA bundle — and response); TLS set-up = median 1st inv HTTPS − median 1st inv HTTP;\n"
                 "init faults = minor page faults to the first `next`; init wall = spawn → first `next` (bootstrap: unshare included);\n"
                 "init+1st HTTPS = median over the HTTPS starts of (init + 1st inv); RIE init: median of %d INIT REPORTs "
                 "(HTTPS where the contender has it)" % (
                     ", ".join("%s %s ms" % (c["name"], ms(metric(c, "preexec"))) for c in results["contenders"]),
                     settings["rie_starts"]))

    lines.append("")
    lines.append("warm (the median round by CPU/inv of %d rounds per scheme, each %d invocations — or as many as fit in %g s — "
                 "in one process after %d warm-up):" % (
                     settings["warm_rounds"], settings["warm_invocations"], settings["warm_budget_s"], settings["warmup"]))
    rows = []
    for c in results["contenders"]:
        size = c.get("size", {})
        w = lambda scheme, field, digits: fmt(metric(c, "warm_%s_%s" % (scheme, field)), digits)  # noqa: E731
        rows.append([
            c["name"],
            w("https", "cpu_us_per_inv", 1), w("http", "cpu_us_per_inv", 1),
            w("https", "p50_ms", 3), w("https", "p99_ms", 3), w("http", "p50_ms", 3), w("http", "p99_ms", 3),
            w("https", "inv_per_s", 0), w("http", "inv_per_s", 0),
            w("https", "ctx_per_inv", 2),
            fmt(metric(c, "peak_rss"), 1),
            fmt(size["stripped_bytes"] / 1e6, 2) if size.get("stripped_bytes") else "—",
            fmt(size["zip_bytes"] / 1e6, 2 if size["zip_bytes"] >= 100_000 else 3) + ("*" if size.get("note") else "")
            if size.get("zip_bytes") else "—",
        ])
    lines.append(render_table(["contender", "CPU µs/inv HTTPS", "HTTP", "p50 ms HTTPS", "p99", "p50 ms HTTP", "p99",
                               "inv/s HTTPS", "HTTP", "ctxsw/inv HTTPS", "peak RSS MiB", "binary MB", "zip MB"], rows))
    lines.append("peak RSS = the highest VmHWM of any warm process (either scheme); MiB = 2^20 bytes, MB = 10^6 bytes")
    notes = [c["name"] + ": " + c["note"] + (" (zip sha256 %s…)" % settings["zip_sha256"][:16] if c["name"] == "bootstrap" else "")
             for c in results["contenders"] if c.get("note")]
    if any(c.get("size", {}).get("note") for c in results["contenders"]):
        notes.append("* Python: handler.py only; the interpreter and awslambdaric come with Lambda's managed runtime")
    lines += notes

    ratio_keys = [("init CPU", "init_cpu"), ("1st HTTPS", "first_https"), ("TLS set-up", "tls_setup"),
                  ("init+1st HTTPS", "init_first_https"), ("warm CPU HTTPS", "warm_https_cpu_us_per_inv"),
                  ("warm CPU HTTP", "warm_http_cpu_us_per_inv"), ("p50 HTTPS", "warm_https_p50_ms"),
                  ("peak RSS", "peak_rss"), ("RIE init", "rie")]
    ratios = {}
    for base_name, label in (("C floor", "floor"), ("Python awslambdaric", "Python")):
        if base_name not in by:
            continue
        rows = []
        for c in results["contenders"]:
            if c["name"] == base_name:
                continue
            row = [c["name"]]
            for _, key in ratio_keys:
                a, b = metric(c, key), metric(by[base_name], key)
                r = a / b if a is not None and b else None
                ratios.setdefault(label, {}).setdefault(c["name"], {})[key] = r
                row.append(fmt(r, 2) + "×" if r is not None else "—")
            rows.append(row)
        lines.append("")
        lines.append("ratios vs %s (contender ÷ %s; < 1 is better):" % (base_name, label))
        lines.append(render_table(["contender"] + [t for t, _ in ratio_keys], rows))

    checks = []

    def check(text, ok, detail):
        checks.append({"target": text, "pass": bool(ok) if ok is not None else None, "detail": detail})

    boot, floor = by.get("bootstrap", {}), by.get("C floor", {})
    for title, key, limit in (("init CPU ≤ 0.35× floor", "init_cpu", 0.35),
                              ("init + 1st HTTPS inv CPU ≤ 0.2× floor", "init_first_https", 0.2)):
        a, b = metric(boot, key), metric(floor, key)
        if a is not None and b:
            check(title, a <= limit * b, "%.2f ms vs floor %.2f ms = %.2f×" % (a / 1e6, b / 1e6, a / b))
        else:
            check(title, None, "not measured")
    for scheme in ("https", "http"):
        a, b = metric(boot, "warm_%s_cpu_us_per_inv" % scheme), metric(floor, "warm_%s_cpu_us_per_inv" % scheme)
        title = "warm CPU/inv %s ≤ 1.0× floor" % scheme.upper()
        if a is not None and b:
            check(title, a <= b, "%.1f µs vs floor %.1f µs = %.2f×" % (a, b, a / b))
        else:
            check(title, None, "not measured")
    rss = metric(boot, "peak_rss")
    check("peak RSS ≤ 12 MiB", rss <= 12 if rss is not None else None, "%.1f MiB" % rss if rss is not None else "not measured")
    zipb = metric(boot, "zip")
    check("zip ≤ 5 MB", zipb <= 5_000_000 if zipb else None, "%s bytes" % format(zipb, ",") if zipb else "no zip")
    lines.append("")
    lines.append("targets (bootstrap):")
    for c in checks:
        lines.append("  %s  %-38s %s" % ({True: "PASS", False: "FAIL", None: "----"}[c["pass"]], c["target"], c["detail"]))

    harness = []
    for c in results["contenders"]:
        for scheme in SCHEMES:
            w = c.get("warm", {}).get(scheme)
            if not w:
                continue
            harness.append("%s %s: CPU µs/inv by round %s (%s invocations); receiver %.1f µs/request, fake API %.1f µs/inv, webhooks verified %s "
                           "(%d checked), responses %s, threads %d, connections %s%s" % (
                               c["name"], scheme.upper(), "/".join("%.0f" % x for x in w.get("rounds_cpu_us_per_inv", [])),
                               "/".join(sorted({str(r["invocations"]) for r in c["warm_rounds"][scheme]}, key=int)),
                               w["receiver_cpu_us_per_request"], w["fake_api_cpu_us_per_inv"],
                               "yes" if w["webhook_check"]["ok"] else "NO: " + "; ".join(w["webhook_check"]["problems"]),
                               w["webhook_check"]["checked"], "ok" if w["response_ok"] and not w["errors"] else "WRONG",
                               w["threads"], w["receiver_connections"],
                               ", TLS handshakes %s, failures %s" % (w["tls_handshakes"], w["tls_failures"]) if scheme == "https" else ""))
    if harness:
        lines.append("")
        lines.append("harness and correctness (every cold start's response is checked too):")
        lines += ["  " + h for h in harness]

    if results.get("micro"):
        lines.append("")
        lines.append("micro (bootstrap's per-record work, no I/O; ordo-one/benchmark, samples of 1000 records):")
        lines.append(render_table(
            ["stage", "CPU ns/record p50", "p90", "wall ns/record p50", "mallocs/record"],
            [[m["stage"], fmt(m["cpu_ns_per_record_p50"], 0), fmt(m["cpu_ns_per_record_p90"], 0),
              fmt(m["wall_ns_per_record_p50"], 0), fmt(m["mallocs_per_record"], 1)] for m in results["micro"]]))
    elif results.get("micro_note"):
        lines.append("")
        lines.append("micro: " + results["micro_note"])

    load = results["machine"]
    lines.append("")
    lines.append("machine: %s, %d CPUs, load average %.2f at start, %.2f at end%s; %d CAs in the bundle; %.0f s" % (
        load["kernel"], load["cpus"], load["load_start"], load["load_end"],
        " — OTHER WORK WAS RUNNING, numbers are noisy" if max(load["load_start"], load["load_end"]) > 1.0 else "",
        results["tls"]["bundle_certificates"], results["seconds"]))
    results["ratios"] = ratios
    results["targets"] = checks
    return "\n".join(lines)
