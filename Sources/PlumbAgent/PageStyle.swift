import Foundation

/// What the status page and the run page share: the document around them, the colours of
/// outcomes, number formats, and the script that keeps them live.
enum PageStyle {
    static func document(title: String, body: String, script: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        body{font:14px system-ui,sans-serif;margin:1em;color:#222;max-width:1100px}
        h1{font-size:20px} h2{font-size:16px;margin-top:1.5em}
        .ok{color:#1a7f37} .warn{color:#9a6700} .bad{color:#cf222e} .dim{color:#666}
        #health.ok,#health.warn,#health.bad{font-weight:600;padding:6px 10px;border-radius:6px}
        #health.ok{background:#dafbe1} #health.warn{background:#fff8c5} #health.bad{background:#ffebe9}
        .scroll{overflow-x:auto}
        table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
        tr.bad td{background:#fff0f0} td.t{font-size:12px;color:#555} .error{color:#cf222e;white-space:pre-wrap}
        pre.error{background:#fff0f0;padding:8px;overflow-x:auto}
        dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px} dt{color:#666}
        code{word-break:break-all} ul.changes,ul.checks{margin:4px 0} li.chunk{margin-bottom:8px}
        svg .label{font-size:11px;fill:#444} svg .axis{stroke:#888} svg rect{fill:#0969da} svg rect.bad{fill:#cf222e}
        svg rect.stage-check{fill:#8250df} svg rect.stage-apply{fill:#1a7f37}
        @media (max-width:600px){body{margin:.5em} td,th{padding:3px 4px} .wide{display:none}}
        </style></head><body>
        \(body)<script>
        \(script)</script>
        </body></html>

        """
    }

    /// Fetches the page again when an event arrives and swaps its `#live` part in place:
    /// no reload, no lost scroll position. `data-updates` on the body counts the swaps.
    static func liveScript(events: String) -> String {
        """
        (function () {
          if (!window.EventSource || !window.fetch) return;
          var busy = false, again = false;
          function refresh() {
            if (busy) { again = true; return; }
            busy = true;
            fetch(location.pathname, {headers: {Accept: "text/html"}, credentials: "same-origin"})
              .then(function (r) { return r.text(); })
              .then(function (text) {
                var next = new DOMParser().parseFromString(text, "text/html").getElementById("live");
                var here = document.getElementById("live");
                if (next && here) {
                  here.innerHTML = next.innerHTML;
                  document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
                }
              })
              .catch(function () {})
              .then(function () { busy = false; if (again) { again = false; refresh(); } });
          }
          var source = new EventSource(\(jsString(events)));
          ["run_started", "chunk_applied", "chunk_failed", "check_passed", "check_failed", "run_finished",
           "drift_appeared", "drift_cleared"].forEach(function (type) { source.addEventListener(type, refresh); });
          source.onopen = function () { document.body.dataset.live = "yes"; };
        })();

        """
    }

    /// `ok`, `warn` or `bad`, for an outcome or a status word.
    static func outcomeClass(_ status: String) -> String {
        switch status {
        case "succeeded", "applied", "unchanged", "passed": "ok"
        case "failed", "invalid", "interrupted", "reverted", "refused", "error", "unconfirmed": "bad"
        case "running", "not_applied", "skipped", "held": "warn"
        default: "dim"
        }
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }

    /// A JavaScript string literal that cannot end the script element it is in.
    static func jsString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"", "\\", "<", ">", "&", "'": out += String(format: "\\u%04x", scalar.value)
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    static func time(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
    static func seconds(_ value: Double) -> String { String(format: "%.2f s", value) }
    static func milliseconds(_ seconds: Double) -> String {
        seconds >= 1 ? String(format: "%.2f s", seconds) : "\(Int((seconds * 1000).rounded())) ms"
    }
    static func number(_ value: Double) -> String { String(format: "%.1f", value) }
}
