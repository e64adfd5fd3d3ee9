// Toasts do not pile up: a newer message of a kind replaces the older one; an error stays beside a
// success that came after it, and each can be dismissed.
import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ToastProvider, useToast } from "../src/components/Toast";

function Saver() {
  const toast = useToast();
  return (
    <>
      <button type="button" onClick={() => ["Saved", "Saved again", "Saved a third time"].forEach((m) => toast.show(m))}>
        Save three times
      </button>
      <button type="button" onClick={() => toast.show("The save was refused", "error")}>
        Fail
      </button>
    </>
  );
}

describe("toasts", () => {
  it("show at most one of a kind, the newest, and can be dismissed", async () => {
    const user = userEvent.setup();
    render(
      <ToastProvider>
        <Saver />
      </ToastProvider>,
    );
    const region = screen.getByRole("status");
    await user.click(screen.getByRole("button", { name: "Fail" }));
    await user.click(screen.getByRole("button", { name: "Save three times" }));
    const shown = () => within(region).queryAllByText(/./, { selector: "span" }).map((el) => el.textContent);
    expect(shown()).toEqual(["The save was refused", "Saved a third time"]);
    await user.click(screen.getByRole("button", { name: "Save three times" }));
    expect(shown()).toEqual(["The save was refused", "Saved a third time"]);
    const dismiss = within(region).getAllByRole("button", { name: "Dismiss" })[0]!;
    await act(() => user.click(dismiss));
    expect(shown()).toEqual(["Saved a third time"]);
  });

  it("leave no fading timer behind when the provider unmounts", () => {
    vi.useFakeTimers();
    try {
      const { unmount } = render(
        <ToastProvider>
          <Saver />
        </ToastProvider>,
      );
      act(() => screen.getByRole("button", { name: "Fail" }).click());
      act(() => screen.getByRole("button", { name: "Save three times" }).click());
      expect(vi.getTimerCount()).toBeGreaterThan(0);
      unmount();
      // A timer left would fire into an unmounted tree (in a test run: after the DOM is gone).
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
