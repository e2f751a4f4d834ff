// Colours of runs in every plot of the workbench: a run keeps its colour
// across plots, workspaces and sessions because the colour comes from the
// run's position in its experiment (creation order in the store), not from
// the order in which plots happen to receive it.
#pragma once

#include <QColor>

namespace pose::widgets {

// Ten colours that stay distinct from each other for most colour vision and
// on light and dark backgrounds; index wraps around.
QColor run_color(int index);

}  // namespace pose::widgets
