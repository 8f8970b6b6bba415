"""`grader watch`: edit, save, see the verdict.

One loop keeps a student on one exercise: each save of its file is checked (the quickest
start method first, then the others), the verdict stays on screen, and single key presses
move on. The modules, one concern each:

- loop: the loop (`run`, the entry point): reads events from one inbox and decides;
- schedule: the schedule of checks of the exercise on screen (queueing, last save wins,
  unchanged content starts nothing); pure logic, no clock;
- runner: the check runner: a check in stages on a thread of its own, through
  grader.grading.checker, and the way to end it;
- watcher: the file watcher (watchdog), its start-up probe and its fall-back to polling;
- keys: the key reader: single key presses, on a thread of its own;
- terminal: the terminal: its modes (cbreak, cursor), its size, a frame drawn in place,
  and all of it put back;
- frame: the frame: what one screen shows, as lines that fit the terminal.

May import: the standard library, watchdog (watcher only), grader.course, grader.grading
(checker), grader.output.report and grader.text. Only loop imports the other modules of this
package; nothing here imports grader.cli (which imports grader.watch.loop when asked to watch).
"""
