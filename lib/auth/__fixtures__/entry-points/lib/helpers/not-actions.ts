// Mentions "use server" only in a comment and a string: not a server action module.
export const note = "this module does not start with use server";
export async function helper() {
  return note;
}
