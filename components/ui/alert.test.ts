import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Alert, alertClasses, type AlertTone } from "./alert";

const TONES: AlertTone[] = ["info", "success", "warning", "danger"];
const render = (props: Parameters<typeof Alert>[0]) => renderToStaticMarkup(createElement(Alert, props));

describe("Alert", () => {
  it("announces errors at once and everything else politely", () => {
    expect(render({ tone: "danger", children: "It failed." })).toMatch(/^<div role="alert"/);
    for (const tone of ["info", "success", "warning"] as const) expect(render({ tone, children: "Note." })).toMatch(/^<div role="status"/);
    expect(render({ tone: "danger", inline: true, children: "Bad file." })).toMatch(/^<p role="alert" class="text-sm text-alert-danger-fg/);
    // A standing explanation (why a button is missing) is a note, not news.
    expect(render({ tone: "warning", role: "note", children: "You started this request." })).toMatch(/^<div role="note"/);
  });

  it("reads the title first, and keeps the icon out of the accessibility tree", () => {
    const html = render({ tone: "danger", title: "Expired.", children: "Reissue the parameters." });
    expect(html).toContain('<span class="font-semibold">Expired. </span>Reissue the parameters.');
    expect(html).toMatch(/<svg[^>]*aria-hidden="true"/);
    expect(render({ tone: "info", icon: false, children: "x" })).not.toContain("<svg");
  });

  it("uses the alert colours, never the state colours", () => {
    for (const tone of TONES) {
      const html = render({ tone, children: "x" });
      expect(html).toContain(alertClasses[tone].box);
      expect(html).not.toMatch(/state-/);
    }
  });
});

/** Every .ts/.tsx file under app/ and components/. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

describe("state colours", () => {
  it("are picked only through components/ui/tone.ts: messages, warnings and danger buttons use the alert colours", () => {
    const root = path.resolve(__dirname, "../..");
    const files = [...sources(path.join(root, "app")), ...sources(path.join(root, "components"))];
    expect(files.length).toBeGreaterThan(50);
    const uses = files
      .filter((file) => !file.endsWith(path.join("components", "ui", "tone.ts")))
      .flatMap((file) =>
        readFileSync(file, "utf8")
          .split("\n")
          .map((line, i) => [line, i] as const)
          .filter(([line]) => /\b(?:bg|text|border|ring|fill|stroke|outline|divide)-state-/.test(line))
          .map(([, i]) => `${path.relative(root, file)}:${i + 1}`),
      );
    expect(uses).toEqual([]);
  });
});
