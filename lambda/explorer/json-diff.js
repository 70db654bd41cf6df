// What changed between two versions of a session document: the paths (dot-separated keys) whose values differ,
// as deep as both sides are objects. Arrays are compared whole (a keywords list or turn order changes as one).

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Every path whose value differs between `before` and `after`, in document order; `[]` when they are equal. */
export function changedPaths(before, after, prefix = '') {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => changedPaths(before[key], after[key], prefix === '' ? key : `${prefix}.${key}`));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [prefix];
}

/** Whether an element showing `path` shows something that changed: a changed path at, inside or around it. */
export function touches(changed, path) {
  return changed.some((c) => c === path || c.startsWith(`${path}.`) || path.startsWith(`${c}.`));
}
