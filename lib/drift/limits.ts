/** How long an acknowledgement's comment may be: plain values the form shows without shipping the schema (./schemas). */
export const ACKNOWLEDGEMENT_MIN = 10;
export const ACKNOWLEDGEMENT_MAX = 1000;
