/** A person's initials in a circle (decorative: the name is always written next to it). */
export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((w) => Array.from(w ?? "")[0]?.toUpperCase() ?? "").join("") || "?";
}

export function Avatar({ name, size = "md" }: { name: string; size?: "sm" | "md" | "lg" }) {
  const dimensions = { sm: "size-7 text-xs", md: "size-9 text-sm", lg: "size-11 text-base" }[size];
  return (
    <span aria-hidden className={`inline-flex shrink-0 items-center justify-center rounded-full bg-accent-600 font-semibold text-white ${dimensions}`}>
      {initialsOf(name)}
    </span>
  );
}
