"""Hardware drivers of an edge node, one module per device kind, each with its simulated twin.

printer     ticket printer (ESC/POS over serial)      twin: pty + ESC/POS interpreter
led_board   counter LED number boards (RS-485 bus)     twin: pty + frame decoder
announcer   voice announcements (espeak-ng + aplay)    real espeak-ng; any command as player
buttons     kiosk buttons, counter keypads (GPIO)      gpiozero MockFactory + press()

docs/devices.md describes wiring, wire formats and the twins.
"""
