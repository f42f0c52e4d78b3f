import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { libraryDocumentKind } from '../../../../../shared/core/model/schemas';

const library = join(import.meta.dirname, '../../../../../resources/library');
const documents = (folder: string): unknown[] =>
  readdirSync(join(library, folder))
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(library, folder, name), 'utf8')) as unknown);

describe('libraryDocumentKind', () => {
  it('tells every capability and device model of the built-in library apart', () => {
    const capabilities = documents('capabilities');
    const models = documents('models');
    expect(capabilities.length).toBeGreaterThan(5);
    expect(models.length).toBeGreaterThan(5);
    expect(capabilities.filter((c) => libraryDocumentKind(c) !== 'capability')).toEqual([]);
    expect(models.filter((m) => libraryDocumentKind(m) !== 'model')).toEqual([]);
  });

  it('goes by the id alone: a capability id makes a capability, anything else a model', () => {
    expect(libraryDocumentKind({ id: 'switch@1' })).toBe('capability');
    expect(libraryDocumentKind({ id: 'light.dimmable@2', implements: {} })).toBe('capability');
    expect(libraryDocumentKind({ id: 'shelly-plus-1pm', implements: {} })).toBe('model');
    expect(libraryDocumentKind({ id: 'switch@0' })).toBe('model');
    expect(libraryDocumentKind({ id: 'Switch@1' })).toBe('model');
    expect(libraryDocumentKind({})).toBe('model');
    expect(libraryDocumentKind(null)).toBe('model');
    expect(libraryDocumentKind('switch@1')).toBe('model');
  });
});
