/**
 * "12 s ago", "4 min ago", "3 h ago", "2 d ago" (or "in …" for a future time), relative to the
 * page's own render time so a refresh never disagrees with itself. The exact ISO time goes in
 * the element's `title` for hover.
 */
export function relativeTime(iso: string, nowMs: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const seconds = Math.round((nowMs - at) / 1000);
  const abs = Math.abs(seconds);
  const text =
    abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.floor(abs / 60)} min` : abs < 86_400 ? `${Math.floor(abs / 3600)} h` : `${Math.floor(abs / 86_400)} d`;
  return seconds >= 0 ? `${text} ago` : `in ${text}`;
}

/** A duration in words for the stale banner ("3 min", "2 h"). */
export function durationWords(ms: number): string {
  return relativeTime(new Date(0).toISOString(), ms).replace(/ ago$/, '');
}
