import type { Rectangle } from 'electron';

/** The settings key the main window's last bounds are kept under. */
export const WINDOW_BOUNDS_KEY = 'window.bounds';

const MIN_VISIBLE = 64;

/**
 * Where to reopen the window: the saved bounds if enough of the window (its title bar region) would
 * land on one of today's displays, else nothing (the OS centres it). Displays change: a laptop
 * undocked from its second monitor must not open Parley off-screen.
 */
export function restorableBounds(saved: unknown, workAreas: readonly Rectangle[]): Rectangle | undefined {
  if (typeof saved !== 'object' || saved === null) return undefined;
  const { x, y, width, height } = saved as Record<string, unknown>;
  if (![x, y, width, height].every((n) => typeof n === 'number' && Number.isFinite(n))) return undefined;
  const bounds = { x, y, width, height } as Rectangle;
  if (bounds.width < 200 || bounds.height < 200) return undefined;
  const visible = workAreas.some((area) => {
    const left = Math.max(bounds.x, area.x);
    const right = Math.min(bounds.x + bounds.width, area.x + area.width);
    const top = Math.max(bounds.y, area.y);
    const bottom = Math.min(bounds.y + MIN_VISIBLE, area.y + area.height);
    return right - left >= MIN_VISIBLE && bottom - top >= MIN_VISIBLE / 2;
  });
  return visible ? bounds : undefined;
}
