import { main } from "./command";

/** `npm run -s wrap -- …` (command.ts has the command; README.md, "Wrap inside your HSM", documents it). */

/** Reads the PIN from the terminal with echo off. */
function askPinOnTerminal(): Promise<string | null> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return Promise.resolve(null);
  process.stderr.write("User PIN for the token: ");
  return new Promise((resolve) => {
    let pin = "";
    stdin.setRawMode(true);
    stdin.resume();
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString("utf8")) {
        if (char === "\r" || char === "\n" || char === "\u0003" || char === "\u0004") {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off("data", onData);
          process.stderr.write("\n");
          resolve(char === "\u0003" ? null : pin);
          return;
        }
        pin = char === "\u007f" ? pin.slice(0, -1) : pin + char;
      }
    };
    stdin.on("data", onData);
  });
}

void main(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  askPin: askPinOnTerminal,
}).then((code) => {
  process.exitCode = code;
});
