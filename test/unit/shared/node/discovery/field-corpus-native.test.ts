import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLibrary } from '../../../../../shared/node/library/load';
import { corpusFigures, fixtureFiles, runFixture, type FieldResult } from '../../../../helpers/field-corpus';

const root = join(__dirname, '../../../../fixtures/field');
const ecosystems = ['tasmota', 'shelly', 'homie'];

const explain = (r: FieldResult) =>
  `${r.file.split('/field/')[1]}: ${r.fullyRight ? 'right' : 'WRONG'} (confidence ${r.confidence}, online ${r.device?.online})` +
  (r.missing.length ? `\n  missing ${JSON.stringify(r.missing)}` : '') +
  (r.unexpected.length ? `\n  unexpected ${JSON.stringify(r.unexpected)}` : '');

describe('field corpus: Tasmota, Shelly and Homie announcements', () => {
  for (const set of ['seen', 'unseen'] as const) {
    it(`understands the ${set} devices: ≥ 90 % fully right, none wrong at confidence ≥ 0.8, online ≥ 95 %`, async () => {
      const library = (await loadLibrary()).models;
      const results = ecosystems.flatMap((e) =>
        fixtureFiles(set === 'seen' ? join(root, e) : join(root, e, 'unseen')).map((f) =>
          runFixture(f, library),
        ),
      );
      const figures = corpusFigures(results);
      console.log(`${set}: ${JSON.stringify(figures)}\n${results.map(explain).join('\n')}`);
      expect(results.length).toBeGreaterThan(5);
      expect(figures.wrongAtHighConfidence).toEqual([]);
      expect(figures.fullyRightShare).toBeGreaterThanOrEqual(0.9);
      expect(figures.onlineShare).toBeGreaterThanOrEqual(0.95);
    });
  }
});
