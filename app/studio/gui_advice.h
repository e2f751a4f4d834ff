// The engine's messages give the command line's advice ("--resume continues
// from here", "run without --resume"): its texts are shared with `pose run`,
// and core/ knows nothing of the workbench. In the workbench the same step is
// Run ▸ Start with the Train workspace's "Resume finished and interrupted
// runs" ticked or not, so every message the GUI shows (log, status line,
// dialogs) passes through here and names that instead.
#pragma once

#include <QString>

namespace pose::studio {

// `message` with each piece of command-line resume advice phrased as the
// workbench's action; everything else as it was.
QString with_gui_advice(const QString& message);

// The workbench's way to continue a stopped experiment: "Run ▸ Start with
// “Resume finished and interrupted runs” ticked (Train)", translated.
QString gui_resume_advice();

}  // namespace pose::studio
