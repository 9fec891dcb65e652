// Quick mode: CV_QUICK=1 shrinks every experiment budget so the test suite can execute notebooks.
export function isQuick(): boolean {
  const v = process.env.CV_QUICK;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** Pick the full-mode or quick-mode value of a budget. */
export function budget<T>(full: T, quick: T): T {
  return isQuick() ? quick : full;
}
