/**
 * True when `topic` matches the MQTT subscription `filter` (`+` one level, `#` the rest), with the
 * spec's rule that wildcards at the first level never match topics starting with `$`.
 */
export const topicMatches = (filter: string, topic: string): boolean => {
  if (filter === topic) return true;
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const part = f[i];
    if (part === '#') return true;
    if (i >= t.length) return false;
    if (part !== '+' && part !== t[i]) return false;
  }
  return f.length === t.length;
};

/** True when the filter holds a wildcard, so exact-topic lookups cannot serve it. */
export const hasWildcard = (filter: string): boolean => filter.includes('+') || filter.includes('#');
