/**
 * The field corpus: real announcements from public sources (test/fixtures/field/, one folder per
 * ecosystem, each with SOURCES.md) published to a real mosquitto and run through discovery;
 * every expected device must come out fully right (every channel with its capability and
 * topics) with the right online state. FIELD_CORPUS=<folder> runs another folder (the
 * held-back announcements); the figures are printed as the last line either way.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MatchableModel } from '../../../shared/core/registry/types';
import { loadMatchableModels } from '../../../shared/node/discovery/session';
import { silentLogger } from '../../../shared/node/log';
import { discoverFixture, figures, judge, loadFixtures, type Judgement } from './field-corpus';

const dir = resolve(process.env.FIELD_CORPUS ?? 'test/fixtures/field');
const fixtures = loadFixtures(dir);
const judgements: Judgement[] = [];
let models: MatchableModel[];

beforeAll(async () => {
  models = await loadMatchableModels(silentLogger);
});

afterAll(() => {
  console.log(JSON.stringify({ corpus: dir, ...figures(judgements) }));
});

describe('field corpus', () => {
  it('holds fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  for (const fixture of fixtures) {
    it(`${fixture.file}: ${fixture.title}`, async () => {
      const devices = await discoverFixture(fixture, models);
      const results = fixture.devices.map((d) => judge(fixture, d, devices));
      judgements.push(...results);
      const wrong = results.filter((r) => !r.fullyRight || !r.onlineRight);
      expect(wrong.map((r) => `${r.device}: ${r.problems.join('; ')}`)).toEqual([]);
    });
  }
});
