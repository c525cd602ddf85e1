export function Logo() {
  return (
    <span className="flex items-center gap-2 text-white">
      <svg viewBox="0 0 32 32" className="size-7" aria-hidden>
        <rect width="32" height="32" rx="7" fill="#3b6fe0" />
        <circle cx="12" cy="16" r="5" fill="none" stroke="#fff" strokeWidth="2.5" />
        <path d="M17 16h9m-3 0v4m-3-4v3" stroke="#fff" strokeWidth="2.5" strokeLinecap="round" />
      </svg>
      <span className="text-base font-semibold tracking-tight">Keyport</span>
    </span>
  );
}
