from fastapi.testclient import TestClient

from app.main import app

client = TestClient(app)


def test_health():
    assert client.get("/health").json() == {"status": "ok"}


def test_predict_rejects_out_of_range_attendance():
    response = client.post("/api/v1/predict", json={"student_id": 1, "attendance_rate": 3,
                                                    "assignments_done": 1, "average_grade": 10,
                                                    "credits": 30})
    assert response.status_code == 422


def test_create_student_requires_key():
    assert client.post("/api/v1/students", json={}).status_code == 401
