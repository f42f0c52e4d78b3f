/**
 * MQTT topic filters, by the rules of MQTT 3.1.1 §4.7 and 5.0 §4.7, the one matcher every part
 * of Fieldgraph uses (discovery rules, device models, the engine's triggers, the broker link).
 */

/**
 * True when `topic` matches the subscription `filter`: `+` matches exactly one level (an empty
 * one too), `#` as the last level matches its parent and everything below it, and a filter
 * starting with `+` or `#` never matches a topic starting with `$` (`$SYS/…`), as a broker
 * would not deliver it. Levels are compared exactly (case-sensitive).
 */
export const topicMatches = (filter: string, topic: string): boolean => {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  if (filter === topic) return true;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
};

/** True when the filter holds a wildcard, so an exact-topic lookup cannot serve it. */
export const hasWildcard = (filter: string): boolean => filter.includes('+') || filter.includes('#');
