/**
 * A refusal: the wrap cannot be done without the key material leaving the token, or the input is wrong.
 * The CLI prints the message (which names the attribute, mechanism or option at fault and says what to do)
 * and exits with code 2; anything else that fails is unexpected and exits with 1.
 */
export class Refusal extends Error {
  override readonly name = "Refusal";

  constructor(
    message: string,
    /** A mistake in the arguments: the usage follows the message. */
    readonly showUsage = false,
  ) {
    super(message);
  }
}

export function refuse(message: string): never {
  throw new Refusal(message);
}

export function refuseUsage(message: string): never {
  throw new Refusal(message, true);
}
