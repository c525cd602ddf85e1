"use client";

import { useEffect, useId, useRef, useState, type FocusEvent } from "react";

/**
 * A disclosure: a button that shows and hides a panel (the user menu, the demo clock control). Escape closes
 * it and puts focus back on the button; a click outside and tabbing out of it close it too. Spread
 * `rootProps` on the element that holds both the button and the panel.
 */
export function useDisclosure() {
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelId = useId();

  useEffect(() => {
    if (!open) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpen(false);
      buttonRef.current?.focus();
    };
    const onPointerDown = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("keydown", onKeyDown);
    document.addEventListener("pointerdown", onPointerDown);
    return () => {
      document.removeEventListener("keydown", onKeyDown);
      document.removeEventListener("pointerdown", onPointerDown);
    };
  }, [open]);

  const rootProps = {
    ref: rootRef,
    onBlur: (event: FocusEvent<HTMLDivElement>) => {
      if (open && event.relatedTarget && !event.currentTarget.contains(event.relatedTarget as Node)) setOpen(false);
    },
  };
  return { open, setOpen, buttonRef, panelId, rootProps };
}
