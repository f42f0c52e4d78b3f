import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../cli/command';
import { gatewayCommand } from '../../../../cli/commands/gateway';

const usage = (argv: string[]) => gatewayCommand.run(argv);

describe('fieldgraph gateway arguments', () => {
  it.each([
    [['--broker', 'mqtt://127.0.0.1:1883', '--data', '/tmp/x'], /--id/],
    [['--id', 'gw', '--broker', 'mqtt://127.0.0.1:1883'], /--data/],
    [['--id', 'gw', '--data', '/tmp/x'], /exactly one of --broker/],
    [
      ['--id', 'gw', '--data', '/tmp/x', '--broker', 'mqtt://h:1', '--embedded-broker', '1883'],
      /exactly one of --broker/,
    ],
    [['--id', 'gw', '--data', '/tmp/x', '--broker', 'http://h:1'], /mqtt:\/\//],
    [['--id', 'gw', '--data', '/tmp/x', '--broker', 'not a url'], /must be a URL/],
    [['--id', 'gw', '--data', '/tmp/x', '--embedded-broker', '99999'], /port number/],
    [['--id', 'gw', '--data', '/tmp/x', '--embedded-broker', '1883', '--http', 'x:y'], /--http/],
    [
      ['--id', 'gw', '--data', '/tmp/x', '--embedded-broker', '1883', '--mdns-interface', 'eth0'],
      /IPv4 address/,
    ],
    [
      ['--id', 'gw', '--data', '/tmp/x', '--broker', 'mqtts://h:8883', '--cert', '/nonexistent/gw.crt'],
      /--cert \/nonexistent\/gw.crt cannot be read/,
    ],
    [
      ['--id', 'gw', '--data', '/tmp/x', '--broker', 'mqtts://h:8883', '--cert', import.meta.filename],
      /not PEM/,
    ],
    [
      ['--id', 'gw', '--data', '/tmp/x', '--embedded-broker', '1883', '--ca', import.meta.filename],
      /not PEM/,
    ],
  ])('%j is a usage mistake', async (argv, message) => {
    const attempt = usage(argv);
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow(message);
  });

  it('names every option in its usage text', () => {
    for (const option of [
      '--id',
      '--broker',
      '--embedded-broker',
      '--data',
      '--project',
      '--trust',
      '--group',
      '--http',
      '--watch',
      '--mdns-interface',
      '--ca',
      '--cert',
      '--cert-key',
    ]) {
      expect(gatewayCommand.usage).toContain(option);
    }
  });
});
