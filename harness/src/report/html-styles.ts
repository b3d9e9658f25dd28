import type { CellStatus } from './model.ts';
import { STATUS_LABEL } from './status-labels.ts';

// The report's only stylesheet, inlined: no framework, no fonts or images from the network.
export function renderStyles(): string {
  const statusRules = (Object.keys(STATUS_LABEL) as CellStatus[])
    .map((s) => `.st-${s}{background:${STATUS_LABEL[s].colour};color:${STATUS_LABEL[s].ink}}`)
    .join('\n');
  return `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:20px;font-weight:600}
header .meta{color:#c9d1d9;font-size:13px}
header .meta code{color:#fff}
main{padding:20px 28px 40px;max-width:1800px}
section{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:16px 20px;margin:0 0 20px}
h2{font-size:16px;margin:0 0 12px}
a{color:#0969da}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.verdict{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600;margin-left:8px;font-size:14px}
.counts{display:flex;flex-wrap:wrap;gap:8px;margin-top:12px}
.count{padding:3px 10px;border-radius:12px;font-size:13px;font-weight:600}
.legend{display:flex;flex-wrap:wrap;gap:6px;font-size:12px;margin-bottom:10px}
.legend span{padding:1px 8px;border-radius:10px}
table.grid{border-collapse:separate;border-spacing:0;width:100%;table-layout:fixed}
.grid col.rowhead{width:120px}
.grid th,.grid td{border-bottom:1px solid #d8dee4;border-right:1px solid #eaeef2;padding:6px 8px;vertical-align:top;text-align:left}
.grid thead th{background:#f6f8fa;font-size:12px;color:#57606a;font-weight:600;white-space:nowrap}
.grid thead th.axis{text-transform:uppercase;letter-spacing:.04em}
.grid thead th.corner{text-align:right}
.grid thead th.spacer{background:#fff}
.grid thead th.group{text-align:center;border-bottom:2px solid #d0d7de;color:#1f2328;font-size:13px}
.grid tr.group-start>*{border-top:2px solid #8c959f}
.grid tbody th{font-weight:500;white-space:nowrap;background:#fbfcfd}
.grid tbody th.repeat{color:#afb8c1}
.grid td.empty{background:repeating-linear-gradient(45deg,#fafbfc,#fafbfc 6px,#f3f5f7 6px,#f3f5f7 12px)}
.chip{display:block;border-radius:6px;padding:4px 7px;margin:0 0 4px;text-decoration:none;font-size:12px;line-height:1.3}
.chip:last-child{margin-bottom:0}
.chip b{font-weight:600}
.chip .dur{float:right;opacity:.85;margin-left:6px}
.chip .why{display:block;font-size:11px;margin-top:2px;opacity:.95;overflow-wrap:anywhere}
.attention{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:10px}
.card{border:1px solid #d0d7de;border-left-width:6px;border-radius:6px;padding:8px 12px;background:#fff}
.card h3{margin:0 0 4px;font-size:13px;font-weight:600;overflow-wrap:anywhere}
.card .why{margin:2px 0 6px;color:#1f2328}
.card .where{font-weight:600}
.card .links{font-size:12px;color:#57606a}
.tag{display:inline-block;border-radius:10px;padding:0 7px;font-size:11px;font-weight:600;vertical-align:1px;margin-right:6px}
.timeline{width:100%;border-collapse:collapse}
.timeline td{padding:3px 6px;border-bottom:1px solid #eaeef2;vertical-align:middle;font-size:12px}
.timeline td.name{width:34%;overflow-wrap:anywhere}
.timeline td.total{width:70px;text-align:right;color:#57606a;white-space:nowrap}
.timeline td.links{width:130px;white-space:nowrap}
.bar{display:flex;height:18px;border-radius:3px;overflow:hidden;background:#eaeef2}
.seg{height:100%;font-size:10px;line-height:18px;color:#fff;white-space:nowrap;overflow:hidden;padding:0 3px;border-right:1px solid #fff}
.seg.phase{background:#8c959f}
.seg.step-passed{background:#2da44e}
.seg.step-failed,.seg.step-error{background:#cf222e}
.seg.step-skipped{background:#afb8c1}
.timeline tr:target{outline:2px solid #0969da}
.suggest li{margin-bottom:6px}
.muted{color:#57606a}
footer{color:#57606a;font-size:12px;padding:0 28px 24px}
${statusRules}
`;
}
