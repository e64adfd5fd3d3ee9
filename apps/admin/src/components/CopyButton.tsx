import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "./Button";

/** Copies a value (a new key or token, a URL) and says so. */
export function CopyButton({ value, label }: { value: string; label?: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState<"idle" | "copied" | "failed">("idle");
  // Back to the label after a moment; the timer goes with the button (a dialog closed, a page left).
  useEffect(() => {
    if (copied === "idle") return;
    const timer = setTimeout(() => setCopied("idle"), 2_000);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <Button
      size="sm"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(value);
          setCopied("copied");
        } catch {
          setCopied("failed");
        }
      }}
    >
      {copied === "copied" ? t("copy.copied") : copied === "failed" ? t("copy.failed") : (label ?? t("copy.copy"))}
    </Button>
  );
}

/** A secret shown once: the value, a copy button and the warning that it will not be shown again. */
export function SecretOnce({ label, value }: { label: string; value: string }) {
  const { t } = useTranslation();
  return (
    <div className="secret-once">
      <p className="notice notice-warning" role="alert">
        {t("copy.secretOnce", { label })}
      </p>
      <div className="secret-row">
        <code data-testid="secret-value">{value}</code>
        <CopyButton value={value} />
      </div>
    </div>
  );
}
