// The buttons under a form: the primary action, and the way back beside it. In a dialog they sit at
// the end, Cancel first (the dialog closes); on a page at the start, the primary first and then
// "Discard changes" (the unsaved edits go). While the request is in flight the primary shows a
// spinner and the way back is disabled, so a result shown once cannot be lost by leaving early.
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "./Button";

export interface FormActionsProps {
  /** The primary button's text. It submits the enclosing form unless onClick is given. */
  label: ReactNode;
  /** Instead of submitting: a "Done" after a result, or a save outside a <form>. */
  onClick?: () => void;
  /** "secondary" for an action that only stages a change (saved later by another button). */
  variant?: "primary" | "secondary";
  /** The request is in flight. */
  busy?: boolean;
  /** Nothing to send yet. */
  disabled?: boolean;
  /** A "Cancel" button before the primary one (dialogs). */
  onCancel?: () => void;
  /** A "Discard changes" button after the primary one (pages with unsaved edits). */
  onDiscard?: () => void;
  /** A short note after the buttons. */
  hint?: ReactNode;
  /** "end" in dialogs; "start" (the default) on pages. */
  align?: "start" | "end";
  className?: string;
}

export function FormActions({
  label,
  onClick,
  variant = "primary",
  busy = false,
  disabled,
  onCancel,
  onDiscard,
  hint,
  align = "start",
  className,
}: FormActionsProps) {
  const { t } = useTranslation();
  return (
    <div className={[align === "end" ? "form-actions" : "row", className ?? ""].join(" ").trim()}>
      {onCancel ? (
        <Button onClick={onCancel} disabled={busy}>
          {t("form.cancel")}
        </Button>
      ) : null}
      <Button
        type={onClick ? "button" : "submit"}
        variant={variant}
        busy={busy}
        disabled={disabled}
        onClick={onClick}
      >
        {label}
      </Button>
      {onDiscard ? (
        <Button variant="ghost" disabled={busy} onClick={onDiscard}>
          {t("form.discard")}
        </Button>
      ) : null}
      {hint ? <span className="field-hint">{hint}</span> : null}
    </div>
  );
}
