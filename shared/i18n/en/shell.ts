/** The shell domain's words (English). */
export const SHELL = {
  // Panes.
  'pane.close': 'Close',
  'pane.back': 'Back to contacts',
} as const satisfies Record<string, string>;
