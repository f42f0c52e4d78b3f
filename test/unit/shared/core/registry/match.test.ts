import { describe, expect, it } from 'vitest';
import { matchModel } from '../../../../../shared/core/registry/match';
import type { MatchableModel, Sighting } from '../../../../../shared/core/registry/types';

const sighting = (facts: Record<string, string>): Sighting => ({
  source: 'mqtt',
  key: 'homie:homie/lamp',
  identity: { topic: 'lamp' },
  facts,
  addresses: [],
  online: true,
  raw: null,
  warnings: [],
  seenAt: 0,
});

const models: MatchableModel[] = [
  {
    id: 'settable-switch',
    name: 'Settable switch',
    rules: [
      {
        confidence: 0.9,
        all: [
          {
            fact: 'mqtt',
            topicFilter: '+/+/+/+/$datatype',
            pattern: '^boolean$',
            siblings: { $settable: '^true$' },
          },
        ],
      },
    ],
  },
];

describe('registry match conditions with siblings', () => {
  it('hold when the message beside the matched one was seen with a fitting payload, and say so', () => {
    const match = matchModel(
      [
        sighting({
          'topic:homie/lamp/light/power/$datatype': 'boolean',
          'topic:homie/lamp/light/power/$settable': 'true',
        }),
      ],
      models,
    );
    expect(match).toEqual({
      id: 'settable-switch',
      name: 'Settable switch',
      confidence: 0.9,
      reason: 'an MQTT message on +/+/+/+/$datatype matching /^boolean$/ beside $settable',
    });
  });

  it('do not hold when the sibling is missing, does not fit, or belongs to another property', () => {
    const without = sighting({ 'topic:homie/lamp/light/power/$datatype': 'boolean' });
    const readOnly = sighting({
      'topic:homie/lamp/light/power/$datatype': 'boolean',
      'topic:homie/lamp/light/power/$settable': 'false',
    });
    const elsewhere = sighting({
      'topic:homie/lamp/light/power/$datatype': 'boolean',
      'topic:homie/lamp/light/level/$settable': 'true',
    });
    for (const s of [without, readOnly, elsewhere]) expect(matchModel([s], models)).toBeNull();
  });
});

describe('a device announcing several services', () => {
  const wled: MatchableModel = {
    id: 'wled-light',
    name: 'WLED light',
    rules: [{ all: [{ fact: 'mdns.type', equals: '_wled._tcp' }], confidence: 0.9 }],
  };
  const http = sighting({ 'mdns.type': '_http._tcp', 'mdns.instance': 'wled-a1b2c3' });
  const own = sighting({
    'mdns.type': '_wled._tcp',
    'mdns.instance': 'wled-a1b2c3',
    'txt.mac': '08b61fa1b2c3',
  });

  it('matches a rule on the service heard second as on the one heard first', () => {
    for (const order of [
      [http, own],
      [own, http],
    ]) {
      expect(matchModel(order, [wled])).toMatchObject({
        id: 'wled-light',
        confidence: 0.9,
        reason: 'mdns.type = "_wled._tcp"',
      });
    }
  });

  it('still takes rules that combine facts of different sightings', () => {
    const both: MatchableModel = {
      id: 'combined',
      name: 'Combined',
      rules: [
        {
          all: [
            { fact: 'mdns.instance', prefix: 'wled-' },
            { fact: 'txt.mac', pattern: '^[0-9a-f]{12}$' },
            { fact: 'mqtt.protocol', equals: 'wled' },
          ],
          confidence: 0.95,
        },
      ],
    };
    expect(matchModel([http, own, sighting({ 'mqtt.protocol': 'wled' })], [both])?.id).toBe('combined');
    expect(matchModel([http, own], [both])).toBeNull();
  });
});
