// A save, create or delete the server refused, said where the user acted: what did not happen, then
// the server's reason in plain words (lib/errors). Nothing while there is no error.
import type { ReactNode } from "react";
import { errorMessage } from "../lib/errors";

export interface MutationErrorProps {
  /** The mutation's error; null or undefined renders nothing. */
  error: unknown;
  /** What did not happen, e.g. "The member was not added." (optional). */
  children?: ReactNode;
  /** How the error is told; the sign-in form words a refused password its own way. */
  describe?: (error: unknown) => string;
}

export function MutationError({ error, children, describe = errorMessage }: MutationErrorProps) {
  if (!error) return null;
  return (
    <p className="notice notice-error" role="alert">
      {children}
      {children ? " " : null}
      {describe(error)}
    </p>
  );
}
