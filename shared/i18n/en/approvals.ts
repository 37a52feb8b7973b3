/** The approvals domain's words (English): who may see my presence. */
export const APPROVALS = {} as const satisfies Record<string, string>;
