//! The style sheet every report shares: readable on a desktop and a phone, and printed on A4
//! with each section on its own page (the reports are filed on paper).

/// The CSS.
pub const CSS: &str = "*{box-sizing:border-box}\
body{font-family:system-ui,sans-serif;max-width:1000px;margin:0 auto;padding:1em;color:#1b1b1b;line-height:1.4}\
h1{font-size:1.5em;margin:.3em 0}h2{font-size:1.2em;margin:1.2em 0 .4em;border-bottom:2px solid #dde}\
table{border-collapse:collapse;width:100%;margin:.6em 0}\
th,td{border:1px solid #bbb;padding:4px 6px;text-align:left;font-size:14px;vertical-align:top;overflow-wrap:anywhere}\
th{background:#eef}code,samp{font-size:12px;overflow-wrap:anywhere}\
table.rules tr>:first-child,table.rules code{white-space:nowrap;overflow-wrap:normal}\
svg{max-width:100%;height:auto;display:block}\
.verdict{border-left:8px solid #9e9e9e;background:#f5f5f5;padding:.6em 1em;font-size:1.15em;margin:.8em 0}\
.verdict.ok{border-color:#2e7d32;background:#e8f5e9}.verdict.bad{border-color:#c62828;background:#ffebee}\
.bad,.notmet{color:#c62828;font-weight:bold}.ok{color:#2e7d32}.manual{color:#555}\
tr.group th{background:#dde3f0}tr.crit td:first-child{border-left:4px solid #1b1b1b}\
.bar.s-succeeded,.bar.ok{fill:#2e7d32}.bar.s-failed,.bar.bad{fill:#c62828}.bar.s-skipped,.bar.manual{fill:#9e9e9e}\
.bar.s-running{fill:#1565c0}.bar.s-waiting{fill:#f9a825}.bar.s-pending{fill:#e0e0e0}\
.bar.crit{stroke:#111;stroke-width:2}.target{stroke:#111;stroke-width:2;stroke-dasharray:4 2}\
.lang{display:none}.lang:target{display:block}#en{display:block}#id:target~#en{display:none}\
nav a{margin-right:1em}footer{margin-top:2em;font-size:12px;color:#555}.note{font-size:13px;color:#444}\
@media (max-width:640px){body{padding:.4em}th,td{font-size:12px;padding:2px 3px}h1{font-size:1.2em}.wide{display:none}}\
@media print{@page{size:A4;margin:14mm}body{max-width:none;padding:0}nav{display:none}.lang{display:block}\
.lang+.lang{break-before:page}section.part+section.part{break-before:page}h2{break-after:avoid}tr,svg,.verdict{break-inside:avoid}}";
