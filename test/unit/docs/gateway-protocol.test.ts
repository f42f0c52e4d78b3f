/** docs/gateway-protocol.md stays true to the contract in shared/core/gateway. */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BEGIN, END, renderGatewayMethods, withGeneratedPart } from '../../../scripts/gen-docs.mjs';
import { errorCatalog } from '../../../shared/core/errors';
import { gatewayMethods, gatewayTopics, groupPackageTopic } from '../../../shared/core/gateway';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const page = readFileSync(resolve(root, 'docs/gateway-protocol.md'), 'utf8');

describe('docs/gateway-protocol.md', () => {
  it('carries the method reference generated from the contract (run `node scripts/gen-docs.mjs` when this fails)', () => {
    expect(page).toContain(BEGIN);
    expect(page).toContain(END);
    expect(withGeneratedPart(page, renderGatewayMethods(gatewayMethods))).toBe(page);
  });

  it('documents every method, with whether it is signed', () => {
    for (const name of Object.keys(gatewayMethods)) {
      expect(page).toContain(`### \`${name}\``);
      expect(page).toContain(`rpc/${name}\``);
    }
    expect(renderGatewayMethods({ probe: { ...gatewayMethods.rollback, signed: false } })).toContain(
      'unsigned',
    );
  });

  it('lists every topic the gateway uses', () => {
    const { base: _base, rpcRequests: _filter, rpcPrefix: _prefix, ...topics } = gatewayTopics('<id>');
    for (const topic of [...Object.values(topics), groupPackageTopic('<group>')])
      expect(page).toContain(`\`${topic}\``);
  });

  it('names every RPC refusal code of the error catalog', () => {
    const codes = Object.keys(errorCatalog).filter((code) => code.startsWith('gateway.rpc_'));
    expect(codes.length).toBeGreaterThan(4);
    expect(codes.filter((code) => !page.includes(`\`${code}\``))).toEqual([]);
  });
});
