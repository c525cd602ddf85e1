// The one function the reliability run uses from React's flight client as Next vendors it (untyped there).
declare module "next/dist/compiled/react-server-dom-webpack/client.edge" {
  export function encodeReply(value: unknown): Promise<string | FormData>;
}
