/**
 * Keeps every folder of a field corpus naming its own files' sources. A corpus folder's
 * SOURCES.md (test/fixtures/field/<corpus>/SOURCES.md) holds one table row per file, keyed by
 * the file's path inside the corpus; a subfolder several levels down (a W3C plugfest's folder, a
 * Node-RED example's folder) is where a person lands when they open a fixture, so each such
 * folder gets a SOURCES.md holding the rows of its own files and of the repositories they come
 * from, and a README.md saying what the folder is. The corpus SOURCES.md stays the one place
 * rows are written; this script copies them.
 *
 *   node scripts/fixture-sources.mjs           write the folder files that are missing or stale
 *   node scripts/fixture-sources.mjs --check   list them and exit 1 (what the unit test runs)
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIELD = join(root, 'test', 'fixtures', 'field');
const GENERATED =
  '<!-- Written by `node scripts/fixture-sources.mjs` from the corpus SOURCES.md; edit that file, then run it. -->';

/** The cells of one Markdown table row, or undefined for a line that is not a body row. */
const cells = (line) => {
  if (!line.startsWith('|') || /^\|\s*-/.test(line)) return undefined;
  return line
    .slice(1, line.trimEnd().endsWith('|') ? line.trimEnd().length - 1 : undefined)
    .split('|')
    .map((c) => c.trim());
};

/** A corpus SOURCES.md read as its tables: file rows by path, repository rows by owner/name. */
export const readCorpusSources = (text) => {
  const files = new Map();
  const repositories = new Map();
  let header;
  for (const line of text.split('\n')) {
    const row = cells(line);
    if (!row) {
      if (!line.startsWith('|')) header = undefined;
      continue;
    }
    if (!header) {
      header = row;
      continue;
    }
    if (header[0] === 'file') files.set(row[0].replace(/^`|`$/g, ''), { header, row, line });
    if (header[0] === 'repository') {
      const name = row[0].replace(/^https:\/\/github\.com\//, '');
      repositories.set(name, line);
    }
  }
  return { files, repositories };
};

/** Every folder below a corpus and the fixture files directly in it (Markdown files aside). */
const foldersOf = (dir, out = new Map()) => {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) foldersOf(path, out);
    else if (!entry.endsWith('.md') && entry !== 'expected.json')
      out.set(dir, [...(out.get(dir) ?? []), entry]);
  }
  return out;
};

/** The SOURCES.md a folder of a corpus should hold, or a problem naming the unlisted files. */
export const folderSources = (corpusName, corpus, folder, names) => {
  const inCorpus = relative(corpus.dir, folder).split(sep).join('/');
  const rows = [];
  const missing = [];
  let header;
  for (const name of names) {
    const entry = corpus.files.get(`${inCorpus}/${name}`);
    if (!entry) missing.push(name);
    else {
      header ??= entry.header;
      rows.push(['`' + name + '`', ...entry.row.slice(1)]);
    }
  }
  if (missing.length > 0)
    return { problem: `${corpusName}/${inCorpus}: not in the corpus SOURCES.md: ${missing.join(', ')}` };
  const repoColumn = header.indexOf('repository');
  const repos = [...new Set(rows.map((r) => r[repoColumn]))]
    .map((r) => corpus.repositories.get(r))
    .filter(Boolean);
  const line = (r) => `| ${r.join(' | ')} |`;
  const text = [
    GENERATED,
    `# Sources: ${corpusName}/${inCorpus}/`,
    '',
    `The rows of the corpus's own SOURCES.md (test/fixtures/field/${corpusName}/SOURCES.md) for the files in this folder, with paths relative to it; that file says how the corpus was chosen and what its expected results are.`,
    '',
    line(header),
    line(header.map(() => '---')),
    ...rows.map(line),
    ...(repos.length > 0
      ? ['', '## Repositories', '', '| repository | commit | licence |', '| --- | --- | --- |', ...repos]
      : []),
    '',
  ].join('\n');
  return { text };
};

const WHAT = {
  wot: 'W3C WoT Thing Descriptions and Thing Models as published',
  nodered: 'Node-RED flow exports as published',
};
const SETS = {
  seen: 'what the code was developed against',
  unseen: 'held back while the code was written and only measured',
  fresh: "the corpus's second held-back set, gathered after the importer was written and only measured",
  'held-back-3':
    "the corpus's third held-back set, chosen before the importer was run on it and only measured",
  'held-back-4':
    "the corpus's fourth held-back set, chosen before the importer was run on it and only measured",
};

/** The README.md of a corpus subfolder: what its files are and where their sources are named. */
export const folderReadme = (corpusName, inCorpus, count) =>
  [
    GENERATED,
    `# ${corpusName}/${inCorpus}/`,
    '',
    `${count} field file${count === 1 ? '' : 's'} of the \`${corpusName}\` corpus, ${SETS[inCorpus.split('/')[0]] ?? 'measured by its corpus test'}: ${WHAT[corpusName] ?? 'files as published'}. The corpus, its format and its test are described in the corpus folder's README.md and SOURCES.md; \`SOURCES.md\` here names each file's source and licence.`,
    '',
  ].join('\n');

/** Writes `text` to `path` unless a person wrote that file (it lacks the generated mark). */
const want = (writes, path, text) => {
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current !== undefined && !current.startsWith(GENERATED)) return;
  if (current !== text) writes.push({ path, text });
};

/** Per corpus folder with a file table: the folder SOURCES.md files to write, and problems. */
export const plan = () => {
  const writes = [];
  const problems = [];
  for (const corpusName of readdirSync(FIELD).sort()) {
    const dir = join(FIELD, corpusName);
    const sources = join(dir, 'SOURCES.md');
    if (!statSync(dir).isDirectory() || !existsSync(sources)) continue;
    const corpus = { ...readCorpusSources(readFileSync(sources, 'utf8')), dir };
    if (![...corpus.files.values()].some((f) => f.header.includes('repository'))) continue;
    for (const [folder, names] of foldersOf(dir)) {
      if (folder === dir) continue;
      // Files a person wrote stay as they are; generated ones follow the corpus.
      const own = join(folder, 'SOURCES.md');
      if (!existsSync(own) || readFileSync(own, 'utf8').startsWith(GENERATED)) {
        const wanted = folderSources(corpusName, corpus, folder, names);
        if (wanted.problem) problems.push(wanted.problem);
        else want(writes, own, wanted.text);
      }
      const inCorpus = relative(dir, folder).split(sep).join('/');
      want(writes, join(folder, 'README.md'), folderReadme(corpusName, inCorpus, names.length));
    }
  }
  return { writes, problems };
};

const main = () => {
  const { writes, problems } = plan();
  for (const p of problems) console.error(p);
  if (process.argv.includes('--check')) {
    for (const w of writes) console.error(`stale or missing: ${relative(root, w.path)}`);
    process.exitCode = writes.length > 0 || problems.length > 0 ? 1 : 0;
    return;
  }
  for (const w of writes) writeFileSync(w.path, w.text);
  console.log(`${writes.length} folder SOURCES.md and README.md files written`);
  if (problems.length > 0) process.exitCode = 1;
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
