import { PDFDocument, StandardFonts, rgb, type PDFFont } from 'pdf-lib';
import type { CommissionJobState, CommissionRunState } from './queue';

/** One row of the handover report. */
export interface ReportRow {
  readonly name: string;
  readonly room: string;
  readonly model: string;
  readonly firmware: string;
  readonly mac: string;
  readonly ip: string;
  readonly result: string;
  readonly time: string;
}

const macText = (mac: string | undefined): string =>
  mac && /^[0-9a-f]{12}$/i.test(mac) ? (mac.toUpperCase().match(/../g) ?? []).join(':') : (mac ?? '');

const targetText = (job: CommissionJobState): string =>
  job.target.kind === 'serial' ? job.target.port : job.target.url;

/** The report rows of a run, one per device, in run order. */
export const reportRows = (run: CommissionRunState): ReportRow[] =>
  run.jobs.map((job) => {
    const d = job.device ?? {};
    const result =
      job.status === 'provisioned'
        ? 'provisioned'
        : job.status === 'failed'
          ? `failed: ${job.error?.message ?? 'unknown reason'}`
          : job.status;
    return {
      name: d.name ?? job.name ?? targetText(job),
      room: job.room ?? '',
      model: d.model ?? d.chip ?? '',
      firmware: [d.firmware, d.version].filter(Boolean).join(' '),
      mac: macText(d.mac),
      ip: d.ip ?? '',
      result,
      time: job.finishedAt ? `${job.finishedAt.replace('T', ' ').slice(0, 19)} UTC` : '',
    };
  });

const columns: [keyof ReportRow, string][] = [
  ['name', 'Name'],
  ['room', 'Room'],
  ['model', 'Model'],
  ['firmware', 'Firmware'],
  ['mac', 'MAC'],
  ['ip', 'IP'],
  ['result', 'Result'],
  ['time', 'Time'],
];

const header = (run: CommissionRunState): [string, string][] => [
  ['Site', run.siteName ?? run.siteId ?? '(no site)'],
  ['Installer', run.installer ?? ''],
  ['Date', `${run.startedAt.replace('T', ' ').slice(0, 16)} UTC`],
  [
    'Devices',
    `${run.jobs.filter((j) => j.status === 'provisioned').length} of ${run.jobs.length} provisioned`,
  ],
];

const escapeHtml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** A self-contained HTML report (no scripts, no external resources); every device string is escaped. */
export const reportHtml = (run: CommissionRunState): string => {
  const rows = reportRows(run);
  const title = `Commissioning report: ${run.siteName ?? run.siteId ?? 'site'}`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font:14px system-ui,sans-serif;margin:2em;color:#111}table{border-collapse:collapse;width:100%}',
    'th,td{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}th{background:#eee}',
    '.failed{color:#a00}.provisioned{color:#060}dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{font-weight:600}</style>',
    '</head><body>',
    `<h1>${escapeHtml(title)}</h1>`,
    '<dl>',
    ...header(run).map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`),
    '</dl>',
    '<table><thead><tr>',
    ...columns.map(([, label]) => `<th>${label}</th>`),
    '</tr></thead><tbody>',
    ...rows.map(
      (r) =>
        `<tr class="${r.result.startsWith('provisioned') ? 'provisioned' : 'failed'}">${columns
          .map(([key]) => `<td>${escapeHtml(r[key])}</td>`)
          .join('')}</tr>`,
    ),
    '</tbody></table>',
    '</body></html>',
    '',
  ].join('\n');
};

// A cell starting with = + - @ (or tab/CR) is a formula in spreadsheet apps: prefix a quote.
const csvCell = (s: string): string => {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** The report as CSV (RFC 4180, CRLF), with the site facts as leading `#` lines. */
export const reportCsv = (run: CommissionRunState): string =>
  [
    ...header(run).map(([k, v]) => `# ${k}: ${v.replace(/[\r\n]/g, ' ')}`),
    columns.map(([key]) => key).join(','),
    ...reportRows(run).map((r) => columns.map(([key]) => csvCell(r[key])).join(',')),
    '',
  ].join('\r\n');

// Standard PDF fonts encode WinAnsi only; anything else becomes "?" rather than failing.
const pdfSafe = (font: PDFFont, s: string): string =>
  [...s]
    .map((c) => {
      try {
        font.encodeText(c);
        return c;
      } catch {
        return '?';
      }
    })
    .join('');

const fit = (font: PDFFont, size: number, s: string, width: number): string => {
  let text = pdfSafe(font, s);
  while (text.length > 1 && font.widthOfTextAtSize(text, size) > width) text = text.slice(0, -2) + '…';
  return font.widthOfTextAtSize(text, size) > width ? '' : text;
};

/** The report as an A4-landscape PDF: site facts, then one table row per device, paged. */
export const reportPdf = async (run: CommissionRunState): Promise<Uint8Array> => {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`Commissioning report ${run.siteName ?? run.siteId ?? ''}`.trim());
  pdf.setProducer('Fieldgraph');
  pdf.setCreationDate(new Date(run.startedAt));
  pdf.setModificationDate(new Date(run.finishedAt ?? run.startedAt));
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const [pageW, pageH] = [842, 595];
  const margin = 36;
  const widths = [120, 70, 80, 110, 90, 75, 150, 75];
  const rows = reportRows(run);
  let page = pdf.addPage([pageW, pageH]);
  let y = pageH - margin;
  const text = (s: string, x: number, size: number, f = font): void =>
    page.drawText(s, { x, y, size, font: f });
  text(pdfSafe(bold, `Commissioning report: ${run.siteName ?? run.siteId ?? 'site'}`), margin, 16, bold);
  y -= 24;
  for (const [k, v] of header(run)) {
    text(pdfSafe(bold, `${k}:`), margin, 10, bold);
    text(fit(font, 10, v, 600), margin + 70, 10);
    y -= 14;
  }
  y -= 8;
  const drawHead = (): void => {
    let x = margin;
    columns.forEach(([, label], i) => {
      text(label, x, 9, bold);
      x += widths[i] as number;
    });
    y -= 4;
    page.drawLine({
      start: { x: margin, y },
      end: { x: pageW - margin, y },
      thickness: 0.5,
      color: rgb(0.5, 0.5, 0.5),
    });
    y -= 12;
  };
  drawHead();
  for (const row of rows) {
    if (y < margin + 12) {
      page = pdf.addPage([pageW, pageH]);
      y = pageH - margin;
      drawHead();
    }
    let x = margin;
    columns.forEach(([key], i) => {
      const w = widths[i] as number;
      page.drawText(fit(font, 8, row[key], w - 4), {
        x,
        y,
        size: 8,
        font,
        color: key === 'result' && !row.result.startsWith('provisioned') ? rgb(0.65, 0, 0) : rgb(0, 0, 0),
      });
      x += w;
    });
    y -= 13;
  }
  return pdf.save();
};
