/** The ranges a schedule accepts: plain values the forms show without shipping the schema (./schemas) to the browser. */
export const REIMPORT_DAYS = { min: 1, max: 180 } as const;
export const ROTATE_DAYS = { min: 30, max: 1825 } as const;
