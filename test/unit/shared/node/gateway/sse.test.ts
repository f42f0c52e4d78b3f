import { describe, expect, it } from 'vitest';
import { sseParser } from '../../../../../shared/node/gateway/device-http';

describe('the event-stream parser of the device HTTP binding', () => {
  it('reads messages split anywhere across chunks, with CRLF, comments, types, ids and multi-line data', () => {
    const parse = sseParser();
    const stream =
      ': hi\r\nid: 7\r\nevent: opened\r\ndata: {"a":\r\ndata: 1}\r\n\r\ndata: plain\n\nevent: x\ndata\n\n';
    const out = [];
    for (let i = 0; i < stream.length; i += 3) out.push(...parse(stream.slice(i, i + 3)));
    expect(out).toEqual([
      { event: 'opened', data: '{"a":\n1}', id: '7' },
      { event: 'message', data: 'plain', id: '7' },
      { event: 'x', data: '', id: '7' },
    ]);
  });

  it('refuses a message that never ends before it grows past 1 MB', () => {
    const parse = sseParser();
    expect(() => {
      for (let i = 0; i < 20; i++) parse(`data: ${'x'.repeat(100_000)}`);
    }).toThrow(/larger than 1 MB/);
  });
});
