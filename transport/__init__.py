"""The one seam between our code and the MQTT broker, shared by edge and cloud."""

from transport.mqtt import MqttClient, MqttSettings

__all__ = ["MqttClient", "MqttSettings"]
