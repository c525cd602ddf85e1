// Forgot the wrapper: the authorization test must fail on this.
export async function GET() {
  return Response.json({ secrets: true });
}
