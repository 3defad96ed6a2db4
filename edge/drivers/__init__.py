"""Hardware drivers of an edge node, one module per device kind: what runs on a Pi.

printer     ticket printer (ESC/POS over serial)      twin: edge.simulation.PrinterTwin (pty + ESC/POS decoder)
led_board   counter LED number boards (RS-485 bus)     twin: edge.simulation.LedBoardTwin (pty + frame decoder)
announcer   voice announcements (espeak-ng + aplay)    real espeak-ng; any command as player
buttons     kiosk buttons, counter keypads (GPIO)      twin: gpiozero MockFactory + edge.simulation.press()

The twins live in ``edge.simulation``; no driver imports them.
docs/devices.md describes wiring, wire formats and the twins.
"""
