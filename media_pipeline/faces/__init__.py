"""Faces of bystanders: finding them (detect.py), following them through a clip (track.py), hiding them (blur.py).

Boxes are fractions (0-1) of the upright picture, so one set of boxes fits the original, its preview, its
thumbnail and the frame of a film alike.
"""

from media_pipeline.faces.detect import CenterFace, FaceBox, FaceDetector, default_detector, detect_photo
from media_pipeline.faces.track import FaceTrack, detect_clip, track_faces

__all__ = ["CenterFace", "FaceBox", "FaceDetector", "FaceTrack", "default_detector", "detect_clip", "detect_photo",
           "track_faces"]
