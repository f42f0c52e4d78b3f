import { join } from 'node:path';
import { readJsonOr, writeJsonAtomic } from './json-file';

/** One recently opened project. */
export interface RecentEntry {
  path: string;
  name: string;
  openedAt: string;
}

const MAX_RECENT = 12;

/** The recent-projects list kept in the user's data folder. */
export const createRecentStore = (dataDir: string) => {
  const file = join(dataDir, 'recent.json');
  const isEntry = (e: unknown): e is RecentEntry =>
    typeof e === 'object' &&
    e !== null &&
    typeof (e as RecentEntry).path === 'string' &&
    typeof (e as RecentEntry).name === 'string' &&
    typeof (e as RecentEntry).openedAt === 'string';
  const list = async (): Promise<RecentEntry[]> => {
    const raw = await readJsonOr<unknown>(file, []);
    return Array.isArray(raw) ? raw.filter(isEntry) : [];
  };
  return {
    list,
    /** Puts `entry` first, dropping an older entry for the same path. */
    async touch(entry: RecentEntry): Promise<void> {
      const rest = (await list()).filter((e) => e.path !== entry.path);
      await writeJsonAtomic(file, [entry, ...rest].slice(0, MAX_RECENT));
    },
  };
};
