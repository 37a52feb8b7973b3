import type { StatusTone } from '../contacts/status';

/** One entry of a menu. `checked` makes it a radio item (a status menu); `danger` marks a destructive one. */
export interface MenuItem {
  readonly label: string;
  readonly run: () => void;
  readonly checked?: boolean;
  readonly danger?: boolean;
  readonly icon?: StatusTone;
  /** Draws a separator above the item. */
  readonly separated?: boolean;
}

/** Where a menu opens: under a button, or at the pointer (a context menu). */
export type MenuAnchor = { readonly element: HTMLElement } | { readonly x: number; readonly y: number };
