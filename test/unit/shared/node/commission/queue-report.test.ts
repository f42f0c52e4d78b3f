import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { FieldgraphError } from '../../../../../shared/core/errors';
import {
  applyNamingScheme,
  checkWifiSettings,
  topicFromName,
} from '../../../../../shared/node/commission/profile';
import {
  CommissionQueue,
  type CommissionRunState,
  type DeviceCommissioner,
} from '../../../../../shared/node/commission/queue';
import { reportCsv, reportHtml, reportPdf, reportRows } from '../../../../../shared/node/commission/report';

const profile = { wifi: { ssid: 'SiteNet', password: 'hunter2-secret' } };

const fake: DeviceCommissioner = async (spec, _profile, { onStep, signal }) => {
  onStep('open', 'x');
  const port = spec.target.kind === 'serial' ? spec.target.port : spec.target.url;
  if (port.includes('fail'))
    throw new FieldgraphError('commission.wifi_rejected', 'The device could not join "SiteNet".');
  if (port.includes('hang'))
    await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
  return {
    firmware: 'ESPHome',
    version: '2025.6.2',
    chip: 'ESP32',
    mac: 'a4cf12b3c4d5',
    url: 'http://10.0.0.5',
    ip: '10.0.0.5',
  };
};

describe('CommissionQueue', () => {
  it('runs devices at once, reports steps, failures with codes, cancel and retry', async () => {
    const events: string[] = [];
    let failNext = true;
    const queue = new CommissionQueue({
      commissioner: async (spec, p, ctx) => {
        if (spec.target.kind === 'serial' && spec.target.port === '/dev/flaky' && failNext) {
          failNext = false;
          throw new FieldgraphError('commission.no_answer', 'No answer on /dev/flaky at 115200 baud.');
        }
        return fake(spec, p, ctx);
      },
      onProgress: (run, job) => events.push(`${job.id}:${job.status}:${run.status}`),
    });
    const run = queue.start(
      profile,
      [
        { target: { kind: 'serial', port: '/dev/ok' }, assignment: { name: 'Hall light', room: 'hall' } },
        { target: { kind: 'serial', port: '/dev/fail' }, assignment: { name: 'Porch' } },
        { target: { kind: 'serial', port: '/dev/hang' }, assignment: {} },
        { target: { kind: 'serial', port: '/dev/flaky' }, assignment: {} },
      ],
      { siteName: 'Depot', installer: 'Ana' },
    );
    expect(run.status).toBe('running');
    await new Promise((r) => setTimeout(r, 20));
    const cancelled = await queue.cancel(run.id, '3');
    expect(cancelled.jobs[2]).toMatchObject({ status: 'cancelled', error: { code: 'commission.cancelled' } });
    const done = await queue.wait(run.id);
    expect(done.status).toBe('finished');
    expect(done.jobs.map((j) => j.status)).toEqual(['provisioned', 'failed', 'cancelled', 'failed']);
    expect(done.jobs[0]).toMatchObject({
      name: 'Hall light',
      room: 'hall',
      device: { name: 'Hall light', ip: '10.0.0.5' },
      attempts: 1,
    });
    expect(done.jobs[1]?.error).toEqual({
      code: 'commission.wifi_rejected',
      message: 'The device could not join "SiteNet".',
    });
    queue.retry(run.id, '4');
    const again = await queue.wait(run.id);
    expect(again.jobs[3]).toMatchObject({ status: 'provisioned', attempts: 2 });
    expect(() => queue.retry(run.id, '1')).toThrow(/already provisioned/);
    expect(() => queue.get('nope')).toThrow(FieldgraphError);
    expect(JSON.stringify(queue.list())).not.toContain('hunter2');
    expect(events).toContain('1:provisioned:running');
    expect(events.at(-1)).toBe('4:provisioned:finished');
  });

  it('limits how many devices run at once', async () => {
    let running = 0;
    let peak = 0;
    const queue = new CommissionQueue({
      concurrency: 2,
      commissioner: async () => {
        peak = Math.max(peak, ++running);
        await new Promise((r) => setTimeout(r, 10));
        running--;
        return {};
      },
    });
    const run = queue.start(
      profile,
      Array.from({ length: 6 }, (_, i) => ({
        target: { kind: 'serial' as const, port: `/dev/p${i}` },
        assignment: {},
      })),
    );
    const done = await queue.wait(run.id);
    expect(done.jobs.every((j) => j.status === 'provisioned')).toBe(true);
    expect(peak).toBe(2);
  });
});

const sampleRun = (): CommissionRunState => ({
  id: 'r1',
  siteName: 'Depot <North>',
  installer: 'Ana & Co',
  startedAt: '2026-11-26T08:00:00.000Z',
  finishedAt: '2026-11-26T08:01:00.000Z',
  status: 'finished',
  jobs: [
    {
      id: '1',
      target: { kind: 'serial', port: '/dev/ttyUSB0' },
      name: '<script>alert(1)</script>',
      room: 'hall',
      status: 'provisioned',
      steps: [],
      attempts: 1,
      finishedAt: '2026-11-26T08:00:30.000Z',
      device: {
        firmware: 'ESPHome',
        version: '2025.6.2',
        chip: 'ESP32-C3',
        mac: 'a4cf12b3c4d5',
        ip: '10.0.0.5',
        name: '<script>alert(1)</script>',
      },
    },
    {
      id: '2',
      target: { kind: 'shelly', url: 'http://192.168.33.1/' },
      name: '=HYPERLINK("http://x")',
      room: 'kitchen',
      status: 'failed',
      steps: [],
      attempts: 1,
      finishedAt: '2026-11-26T08:00:40.000Z',
      error: { code: 'commission.auth_failed', message: 'refused the device password, "admin"' },
    },
  ],
});

describe('commissioning report', () => {
  it('has site, installer, date and per device name, room, model, firmware, MAC, IP, result and time', () => {
    const rows = reportRows(sampleRun());
    expect(rows[0]).toEqual({
      name: '<script>alert(1)</script>',
      room: 'hall',
      model: 'ESP32-C3',
      firmware: 'ESPHome 2025.6.2',
      mac: 'A4:CF:12:B3:C4:D5',
      ip: '10.0.0.5',
      result: 'provisioned',
      time: '2026-11-26 08:00:30 UTC',
    });
    expect(rows[1]?.result).toBe('failed: refused the device password, "admin"');
  });

  it('escapes device text in HTML and has no scripts', () => {
    const html = reportHtml(sampleRun());
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Depot &lt;North&gt;');
    expect(html).toContain('Ana &amp; Co');
    expect(html).toContain('1 of 2 provisioned');
  });

  it('quotes CSV cells and defuses spreadsheet formulas', () => {
    const csv = reportCsv(sampleRun());
    const lines = csv.split('\r\n');
    expect(lines).toContain('name,room,model,firmware,mac,ip,result,time');
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(csv).toContain('"failed: refused the device password, ""admin"""');
  });

  it('writes a PDF that pdf-lib reads back, even with characters outside WinAnsi', async () => {
    const run = sampleRun();
    run.jobs = Array.from({ length: 60 }, (_, i) => ({
      ...(run.jobs[0] as CommissionRunState['jobs'][number]),
      id: `${i}`,
      name: `Gerät ${i} 灯`,
    }));
    const bytes = await reportPdf(run);
    const doc = await PDFDocument.load(bytes);
    expect(doc.getPageCount()).toBeGreaterThan(1);
    expect(doc.getTitle()).toContain('Depot');
  });
});

describe('naming', () => {
  it('fills a naming scheme and derives topics', () => {
    expect(
      applyNamingScheme('{room}-{capability}-{n}', { room: 'kitchen', capability: 'switch', n: 2 }),
    ).toBe('kitchen-switch-2');
    expect(applyNamingScheme('{room}-{capability}-{n}', { capability: 'switch', n: 1 })).toBe('switch-1');
    expect(topicFromName('Küche Relais 1')).toBe('kuche_relais_1');
    expect(topicFromName('!!!')).toBe('device');
  });
});

describe('checkWifiSettings', () => {
  const code = (ssid: string, password: string): string => {
    try {
      checkWifiSettings({ ssid, password });
      return 'ok';
    } catch (error) {
      expect((error as Error).message).not.toContain(password || '\u0000');
      return (error as FieldgraphError).code;
    }
  };
  it('accepts what WPA2 accepts and refuses the rest without quoting the password', () => {
    expect(code('SiteNet', 'correct horse')).toBe('ok');
    expect(code('SiteNet', '')).toBe('ok');
    expect(code('SiteNet', 'a'.repeat(63))).toBe('ok');
    expect(code('SiteNet', 'ab'.repeat(32))).toBe('ok');
    expect(code('SiteNet', 'z'.repeat(64))).toBe('commission.invalid_value');
    expect(code('SiteNet', 'p'.repeat(65))).toBe('commission.invalid_value');
    expect(code('SiteNet', 'x1y2z')).toBe('commission.invalid_value');
    expect(code('', 'correct horse')).toBe('commission.invalid_value');
    expect(code('Ü'.repeat(17), 'correct horse')).toBe('commission.invalid_value');
  });
});
