import { parseArgs } from "node:util";
import { createListener } from "./listener";

/**
 * npm run webhook:listen -- [--port 4580] [--fail <n>]
 *
 * Listens on 127.0.0.1 for Keyport's notifications, checks each signature with KEYPORT_WEBHOOK_SECRET and
 * prints the messages: start it beside `npm run demo` with KEYPORT_WEBHOOK_URL=http://127.0.0.1:<port>/ and the
 * same secret (README, "Notifications").
 */

const USAGE = "usage: KEYPORT_WEBHOOK_SECRET=<the app's secret> npm run webhook:listen -- [--port 4580] [--fail <n>]";

function main(): void {
  const { values } = parseArgs({ options: { port: { type: "string", default: "4580" }, fail: { type: "string", default: "0" } } });
  const port = Number(values.port);
  const failFirst = Number(values.fail);
  const secret = process.env.KEYPORT_WEBHOOK_SECRET ?? "";
  const problem =
    secret.length < 32
      ? "KEYPORT_WEBHOOK_SECRET must be the app's secret (32+ characters)."
      : !Number.isInteger(port) || port < 1 || port > 65535
        ? `--port must be a port number; it is "${values.port}".`
        : !Number.isInteger(failFirst) || failFirst < 0
          ? `--fail must be a whole number; it is "${values.fail}".`
          : null;
  if (problem) {
    console.error(`${problem}\n${USAGE}`);
    process.exit(2);
  }
  const server = createListener({ secret, failFirst, print: (line) => console.log(line) });
  server.on("error", (error: NodeJS.ErrnoException) => {
    console.error(`cannot listen on 127.0.0.1:${port}: ${error.code ?? error.message}`);
    process.exit(1);
  });
  server.listen(port, "127.0.0.1", () => {
    console.log(`Listening on http://127.0.0.1:${port}/ for Keyport's notifications (signatures checked with KEYPORT_WEBHOOK_SECRET). Ctrl-C stops.`);
  });
}

main();
