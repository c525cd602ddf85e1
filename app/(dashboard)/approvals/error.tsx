"use client";

// The dashboard's error view (generic message, reference, "Try again"), for this segment.
export { default } from "../error";
