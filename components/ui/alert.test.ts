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
